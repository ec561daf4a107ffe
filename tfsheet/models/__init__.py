"""Model builders, one module per problem of the sheet."""
