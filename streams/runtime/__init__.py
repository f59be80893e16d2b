"""Everything that talks to Kafka: the faust app, topics, tables, agents, web views, clients."""
