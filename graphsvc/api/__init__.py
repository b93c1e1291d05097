"""The GraphQL API over HTTP: thin resolvers over graphsvc.core."""
