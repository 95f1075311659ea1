"""The store → the network: a read-only SPARQL endpoint (serve) and a Graph Store push to a remote store."""
