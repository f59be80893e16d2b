"""The faust agents: thin loops that decode, call a stage function and send the result on."""
