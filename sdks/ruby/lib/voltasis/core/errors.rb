# frozen_string_literal: true

module Voltasis
  # Every error this library raises.
  class Error < StandardError; end

  # A request that did not end well: the API refused it (a status error below) or it never got an
  # answer (APIConnectionError). Carries what the API said (SPEC §2), so one `rescue` can log it all.
  class APIError < Error
    # @return [Integer, nil] the HTTP status; nil when no answer came
    attr_reader :status
    # @return [String, nil] the API's machine code, e.g. "NOT_FOUND"
    attr_reader :code
    # @return [Hash] `error.details` with symbol keys, e.g. `{field: "name", reason: "required"}`
    attr_reader :details
    # @return [String, nil] the answer's `X-Request-ID` (`req_…`): quote it when asking for help
    attr_reader :request_id
    # @return [Hash{String => String}] the answer's headers, names in lower case
    attr_reader :headers
    # @return [String, nil] the answer's raw body
    attr_reader :body

    def initialize(message, status: nil, code: nil, details: nil, request_id: nil, headers: nil, body: nil)
      super(message)
      @status = status
      @code = code
      @details = details || {}
      @request_id = request_id
      @headers = headers || {}
      @body = body
    end

    # @return [String, nil] the offending field of a validation error (`details.field`)
    def field
      details[:field]
    end

    def inspect
      "#<#{self.class.name} status=#{status.inspect} code=#{code.inspect} request_id=#{request_id.inspect} " \
        "message=#{message.inspect}>"
    end
  end

  # No answer: the connection was refused or broken (after the retries).
  class APIConnectionError < APIError; end

  # No answer within the timeout (after the retries).
  class APITimeoutError < APIConnectionError; end

  # The API answered with a 4xx or 5xx status; the subclasses below name the common ones.
  class APIStatusError < APIError
    # The error for an answer: its class by status, its fields from the error envelope.
    # A body that is not the envelope (a proxy's HTML page) still gives status and request id.
    def self.from_response(response)
      envelope = response.json_or_nil
      error = envelope.is_a?(Hash) && envelope["error"].is_a?(Hash) ? envelope["error"] : {}
      metadata = envelope.is_a?(Hash) && envelope["metadata"].is_a?(Hash) ? envelope["metadata"] : {}
      message = error["message"] || "HTTP #{response.status}: #{response.body.to_s[0, 200]}"
      klass = STATUS_ERRORS.fetch(response.status) { response.status >= 500 ? InternalServerError : APIStatusError }
      klass.new(
        message,
        status: response.status,
        code: error["code"],
        details: Util.symbolize(error["details"].is_a?(Hash) ? error["details"] : {}),
        request_id: response.headers["x-request-id"] || metadata["request_id"],
        headers: response.headers,
        body: response.body,
      )
    end
  end

  # 400: a malformed request or an invalid value; `field` names the offending field.
  class ValidationError < APIStatusError; end
  BadRequestError = ValidationError

  # 401: missing, malformed, expired or revoked credential.
  class AuthenticationError < APIStatusError; end

  # 403: the credential lacks a scope or role, or the resource is another organization's.
  class PermissionDeniedError < APIStatusError; end

  # 404: no such resource.
  class NotFoundError < APIStatusError; end

  # 409: a state conflict (a second running timer, a locked period, a duplicate name).
  class ConflictError < APIStatusError; end

  # 412: `If-Match` named a version that is no longer current.
  class PreconditionFailedError < APIStatusError; end

  # 413: the body is over the server's limit.
  class PayloadTooLargeError < APIStatusError; end

  # 422: an idempotency key sent again with another method, path or body.
  class UnprocessableEntityError < APIStatusError; end

  # 429: a rate limit; `retry_after` says in how many seconds to try again.
  class RateLimitError < APIStatusError
    # @return [Integer, nil] seconds until the limit resets
    def retry_after
      details[:retry_after] || headers["retry-after"]&.to_i
    end
  end

  # 5xx: the server failed; 503 is ServiceUnavailableError.
  class InternalServerError < APIStatusError; end

  # 503: overloaded, shutting down or without its database; retried by default.
  class ServiceUnavailableError < InternalServerError; end

  STATUS_ERRORS = {
    400 => ValidationError,
    401 => AuthenticationError,
    403 => PermissionDeniedError,
    404 => NotFoundError,
    409 => ConflictError,
    412 => PreconditionFailedError,
    413 => PayloadTooLargeError,
    422 => UnprocessableEntityError,
    429 => RateLimitError,
    503 => ServiceUnavailableError,
  }.freeze

  # A webhook whose signature, secret or timestamp does not check out: answer it with a 400.
  class WebhookVerificationError < Error; end
end
