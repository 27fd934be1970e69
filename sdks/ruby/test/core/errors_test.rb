# frozen_string_literal: true

require_relative "../test_helper"

# Every error status becomes its class and carries status, code, message, details and request id.
class ErrorsTest < Minitest::Test
  include TestHelpers

  CASES = {
    400 => [Voltasis::ValidationError, "VALIDATION_ERROR"],
    401 => [Voltasis::AuthenticationError, "UNAUTHORIZED"],
    403 => [Voltasis::PermissionDeniedError, "FORBIDDEN"],
    404 => [Voltasis::NotFoundError, "NOT_FOUND"],
    409 => [Voltasis::ConflictError, "CONFLICT"],
    412 => [Voltasis::PreconditionFailedError, "PRECONDITION_FAILED"],
    413 => [Voltasis::PayloadTooLargeError, "PAYLOAD_TOO_LARGE"],
    422 => [Voltasis::UnprocessableEntityError, "IDEMPOTENCY_KEY_REUSED"],
    429 => [Voltasis::RateLimitError, "RATE_LIMIT_EXCEEDED"],
    500 => [Voltasis::InternalServerError, "INTERNAL_ERROR"],
    503 => [Voltasis::ServiceUnavailableError, "SERVICE_UNAVAILABLE"],
  }.freeze

  def test_each_status_raises_its_class_with_the_envelopes_fields
    statuses = CASES.keys
    handler = lambda do |_request, index|
      status = statuses[index]
      FakeServer.error(status, CASES[status][1], "message #{status}", { field: "name", reason: "r#{status}" })
    end
    with_server(handler) do |server|
      client, = client_for(server, max_retries: 0)
      statuses.each do |status|
        klass, code = CASES[status]
        error = assert_raises(klass) { client.projects.retrieve(PROJECT[:id]) }
        assert_equal klass, error.class
        assert_kind_of Voltasis::APIStatusError, error
        assert_equal [status, code, "message #{status}", "req_test#{status}"],
                     [error.status, error.code, error.message, error.request_id]
        assert_equal({ field: "name", reason: "r#{status}" }, error.details)
        assert_equal "name", error.field
      end
    end
  end

  def test_rate_limit_error_has_retry_after_from_details_or_header
    answers = [FakeServer.error(429, "RATE_LIMIT_EXCEEDED", "slow", { retry_after: 12 }),
               [429, { "Retry-After" => "5" }, "Too Many Requests"]]
    with_server(->(_request, index) { answers[index] }) do |server|
      client, = client_for(server, max_retries: 0)
      assert_equal 12, assert_raises(Voltasis::RateLimitError) { client.auth.me }.retry_after
      assert_equal 5, assert_raises(Voltasis::RateLimitError) { client.auth.me }.retry_after
    end
  end

  def test_an_answer_that_is_not_the_envelope_still_gives_status_and_request_id
    proxy_page = [502, { "X-Request-ID" => "req_proxy" }, "<html>Bad Gateway</html>"]
    with_server(->(_request, _index) { proxy_page }) do |server|
      client, = client_for(server)
      error = assert_raises(Voltasis::InternalServerError) { client.auth.me }
      assert_equal [502, nil, "req_proxy", {}], [error.status, error.code, error.request_id, error.details]
      assert_includes error.message, "Bad Gateway"
    end
  end

  def test_an_unlisted_4xx_is_a_status_error
    with_server(->(_request, _index) { FakeServer.error(415, "INVALID_REQUEST", "json only") }) do |server|
      client, = client_for(server)
      error = assert_raises(Voltasis::APIStatusError) { client.auth.me }
      assert_equal [Voltasis::APIStatusError, 415, "INVALID_REQUEST"], [error.class, error.status, error.code]
    end
  end

  def test_the_hierarchy_lets_one_rescue_catch_every_api_error
    assert_operator Voltasis::APITimeoutError, :<, Voltasis::APIConnectionError
    assert_operator Voltasis::APIConnectionError, :<, Voltasis::APIError
    assert_operator Voltasis::NotFoundError, :<, Voltasis::APIError
    assert_operator Voltasis::APIError, :<, Voltasis::Error
    assert_operator Voltasis::WebhookVerificationError, :<, Voltasis::Error
    assert_same Voltasis::ValidationError, Voltasis::BadRequestError
  end
end
