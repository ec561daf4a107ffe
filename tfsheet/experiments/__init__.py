"""One module per problem of the sheet, each exposing run(config, workdir) -> results dict."""
