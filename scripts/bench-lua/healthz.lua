-- GET /healthz without credentials: the ceiling the other rows are shared against.
wrk.method = "GET"
wrk.path = "/healthz"
