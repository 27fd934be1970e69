"""The hand-written runtime of the SDK: transport, retries, timeouts, errors, pagination and webhook
verification. Everything outside this package (client.py, resources/, types/) is generated from
openapi/v1.json by `npm run sdk:generate`."""
