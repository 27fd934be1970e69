# frozen_string_literal: true

require_relative "../test_helper"

# Retries (SPEC §9): 429 and 503 after Retry-After, connection errors and timeouts after the
# backoff, one Idempotency-Key across a POST's tries, and no retry where it would not help.
class RetriesTest < Minitest::Test
  include TestHelpers

  UUID_V4 = /\A\h{8}-\h{4}-4\h{3}-[89ab]\h{3}-\h{12}\z/.freeze

  def test_a_post_retried_after_503s_keeps_one_generated_idempotency_key
    handler = lambda do |_request, index|
      next FakeServer.json(201, envelope(PROJECT)) if index >= 2

      FakeServer.error(503, "SERVICE_UNAVAILABLE", "busy", {}, "Retry-After" => "0")
    end
    with_server(handler) do |server|
      client, pauses = client_for(server)
      events = []
      client.on_request { |event| events << event }

      project = client.projects.create(name: "Website")

      assert_equal "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", project.id
      keys = server.requests.map { |request| request.headers["idempotency-key"] }
      assert_equal 3, keys.size
      assert_match UUID_V4, keys.first
      assert_equal [keys.first], keys.uniq
      assert_equal [0.0, 0.0], pauses
      assert_equal [[1, 503, 0.0], [2, 503, 0.0], [3, 201, nil]], events.map { |e| [e.attempt, e.status, e.retry_in] }
    end
  end

  def test_two_posts_get_different_keys_and_a_callers_key_is_sent_on_every_try
    answers = [FakeServer.error(429, "RATE_LIMIT_EXCEEDED", "slow", {}, "Retry-After" => "0")] +
              ([FakeServer.json(201, envelope(PROJECT))] * 3)
    with_server(->(_request, index) { answers[index] }) do |server|
      client, = client_for(server)
      client.projects.create(name: "A", request_options: { idempotency_key: "order-42" })
      client.projects.create(name: "B")
      client.projects.create(name: "C")

      keys = server.requests.map { |request| request.headers["idempotency-key"] }
      assert_equal ["order-42", "order-42"], keys[0, 2]
      refute_equal keys[2], keys[3]
      assert_match UUID_V4, keys[3]
    end
  end

  def test_patch_has_a_key_get_and_delete_have_none
    handler = lambda do |request, _index|
      request.method == "DELETE" ? [204, {}, ""] : FakeServer.json(200, envelope(PROJECT))
    end
    with_server(handler) do |server|
      client, = client_for(server)
      client.projects.update(PROJECT[:id], name: "New")
      client.projects.retrieve(PROJECT[:id])
      client.projects.delete(PROJECT[:id])

      assert_equal [true, false, false], server.requests.map { |request| request.headers.key?("idempotency-key") }
    end
  end

  def test_a_429_waits_its_retry_after
    handler = lambda do |_request, index|
      if index.zero?
        FakeServer.error(429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded. Try again in 7 seconds.", { retry_after: 7 },
                         "Retry-After" => "7")
      else
        FakeServer.json(200, envelope(PROJECT))
      end
    end
    with_server(handler) do |server|
      client, pauses = client_for(server)
      client.projects.retrieve(PROJECT[:id])

      assert_equal [7.0], pauses
      assert_equal 2, server.requests.size
    end
  end

  def test_without_retry_after_the_backoff_doubles_with_jitter
    with_server(->(_request, _index) { FakeServer.error(503, "SERVICE_UNAVAILABLE", "busy") }) do |server|
      client, pauses = client_for(server, max_retries: 3)
      assert_raises(Voltasis::ServiceUnavailableError) { client.projects.retrieve(PROJECT[:id]) }

      assert_equal 4, server.requests.size
      assert_equal 3, pauses.size
      [[0.375, 0.5], [0.75, 1.0], [1.5, 2.0]].zip(pauses).each do |(low, high), pause|
        assert_operator pause, :>=, low
        assert_operator pause, :<=, high
      end
    end
  end

  def test_backoff_is_capped_at_eight_seconds
    assert_equal 0.5, Voltasis::Transport.backoff(0, random: Struct.new(:rand).new(0.0))
    assert_equal 8.0, Voltasis::Transport.backoff(10, random: Struct.new(:rand).new(0.0))
    assert_equal 6.0, Voltasis::Transport.backoff(10, random: Struct.new(:rand).new(1.0))
  end

  def test_retry_after_reads_seconds_and_http_dates
    now = Time.utc(2024, 1, 1, 12, 0, 0)
    assert_equal 3.0, Voltasis::Transport.retry_after({ "retry-after" => "3" }, now: now)
    assert_equal 30.0, Voltasis::Transport.retry_after({ "retry-after" => (now + 30).httpdate }, now: now)
    assert_equal 0, Voltasis::Transport.retry_after({ "retry-after" => (now - 30).httpdate }, now: now)
    assert_nil Voltasis::Transport.retry_after({ "retry-after" => "soon" }, now: now)
    assert_nil Voltasis::Transport.retry_after({}, now: now)
  end

  def test_a_retry_after_beyond_a_minute_is_not_waited_out
    daily = FakeServer.error(429, "RATE_LIMIT_EXCEEDED", "daily", { retry_after: 3600 }, "Retry-After" => "3600")
    with_server(->(_request, _index) { daily }) do |server|
      client, pauses = client_for(server)
      error = assert_raises(Voltasis::RateLimitError) { client.projects.retrieve(PROJECT[:id]) }

      assert_equal 3600, error.retry_after
      assert_equal 1, server.requests.size
      assert_empty pauses
    end
  end

  def test_retries_give_up_after_max_retries_and_can_be_turned_off_per_request
    limited = FakeServer.error(429, "RATE_LIMIT_EXCEEDED", "slow", { retry_after: 1 }, "Retry-After" => "1")
    with_server(->(_request, _index) { limited }) do |server|
      client, pauses = client_for(server)
      assert_raises(Voltasis::RateLimitError) { client.projects.retrieve(PROJECT[:id]) }
      assert_equal 3, server.requests.size

      error = assert_raises(Voltasis::RateLimitError) do
        client.projects.retrieve(PROJECT[:id], request_options: { max_retries: 0 })
      end
      assert_equal 4, server.requests.size
      assert_equal 1, error.retry_after
      assert_equal [1.0, 1.0], pauses
    end
  end

  def test_idempotency_key_in_use_is_retried_other_conflicts_are_not
    answers = [FakeServer.error(409, "IDEMPOTENCY_KEY_IN_USE", "running", { retry_after: 1 }, "Retry-After" => "1"),
               FakeServer.json(201, envelope(PROJECT)),
               FakeServer.error(409, "CONFLICT", "duplicate name", { reason: "duplicate_name" }, "Retry-After" => "1")]
    with_server(->(_request, index) { answers[index] }) do |server|
      client, = client_for(server)
      assert_equal PROJECT[:id], client.projects.create(name: "Website").id

      error = assert_raises(Voltasis::ConflictError) { client.projects.create(name: "Website") }
      assert_equal "duplicate_name", error.details[:reason]
      assert_equal 3, server.requests.size
    end
  end

  def test_client_errors_and_500_are_not_retried
    answers = [FakeServer.error(400, "VALIDATION_ERROR", "bad", { field: "name" }),
               FakeServer.error(500, "INTERNAL_ERROR", "oops")]
    with_server(->(_request, index) { answers[index] }) do |server|
      client, pauses = client_for(server)
      assert_raises(Voltasis::ValidationError) { client.projects.create(name: "x") }
      assert_raises(Voltasis::InternalServerError) { client.projects.create(name: "x") }

      assert_equal 2, server.requests.size
      assert_empty pauses
    end
  end

  def test_a_refused_connection_is_retried_then_raised
    port = TCPServer.open("127.0.0.1", 0) { |socket| socket.addr[1] } # free, and nothing listens on it after
    client = Voltasis::Client.new(api_key: "vlt_live_test", base_url: "http://127.0.0.1:#{port}")
    pauses = []
    client.instance_variable_get(:@transport).define_singleton_method(:pause) { |seconds| pauses << seconds }
    events = []
    client.on_request { |event| events << event }

    error = assert_raises(Voltasis::APIConnectionError) { client.projects.create(name: "x") }

    assert_nil error.status
    assert_match(/ECONNREFUSED|refused/i, error.message)
    assert_equal [1, 2, 3], events.map(&:attempt)
    assert events.all? { |event| event.error.is_a?(Voltasis::APIConnectionError) }
    assert_equal 2, pauses.size
  end

  def test_a_request_that_gets_no_answer_times_out_and_is_retried
    with_server(->(_request, _index) { :hang }) do |server|
      client, = client_for(server, timeout: 0.2, max_retries: 1)

      error = assert_raises(Voltasis::APITimeoutError) { client.projects.retrieve(PROJECT[:id]) }

      assert_kind_of Voltasis::APIConnectionError, error
      assert_match(/timed out/, error.message)
      assert_equal 2, server.requests.size
    end
  end

  def test_a_per_request_timeout_overrides_the_clients
    with_server(->(_request, _index) { :hang }) do |server|
      client, = client_for(server, max_retries: 0)

      assert_raises(Voltasis::APITimeoutError) do
        client.projects.retrieve(PROJECT[:id], request_options: { timeout: 0.2 })
      end
    end
  end
end
