// autocannon's worker thread loads this by path (a function cannot be cloned into it): each
// request gets a fresh Idempotency-Key.
const { randomUUID } = require("node:crypto");

module.exports = (request) => ({
  ...request,
  headers: { ...request.headers, "idempotency-key": randomUUID() },
});
