-- One question asked over and over: every answer after the first comes
-- from the exact-question cache.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"question": "What were Electronics sales in California in Q1 2024?", "session": false}'
