# frozen_string_literal: true

require_relative "test_helper"
require "timeout"

# The live event stream (docs/streaming.md) through the SDK, against the server in
# VOLTASIS_BASE_URL, each test on a new account.
class StreamLiveTest < Minitest::Test
  include TestHelpers

  # A stream that misses what it waits for would wait forever; this fails the test instead.
  DEADLINE = 20

  def setup
    skip_without_server
  end

  def client(name)
    _, key = register_with_admin_key(name)
    Voltasis::Client.new(api_key: key.secret)
  end

  def test_receives_project_created_for_a_project_created_once_it_connected
    client = client("Stream")
    stream = client.events.stream
    project = client.projects.create(name: "Streamed")
    event = Timeout.timeout(DEADLINE) { stream.first }
    assert_equal ["project.created", project.id, "Streamed"], [event.event, event.resource_id, event.data["name"]]
    assert_equal event.id, stream.last_event_id
    assert stream.closed?
  end

  def test_resumes_after_a_given_event_with_exactly_the_events_after_it_then_live_ones
    client = client("Resume")
    tags = %w[first second third].map { |name| client.tags.create(name: name) }
    first = client.events.list(resource_type: "tag", limit: 3).first_page.data.find do |event|
      event.resource_id == tags[0].id
    end

    seen = []
    Timeout.timeout(DEADLINE) do
      client.events.stream(last_event_id: first.id) do |event|
        seen << event.resource_id
        tags << client.tags.create(name: "fourth") if seen.size == 2
        break if seen.size == 3
      end
    end
    assert_equal tags[1..].map(&:id), seen
  end

  def test_a_key_without_read_events_raises_permission_denied
    key = client("Scope").api_keys.create(name: "projects only", scopes: ["read:projects"])
    error = assert_raises(Voltasis::PermissionDeniedError) { Voltasis::Client.new(api_key: key.secret).events.stream }
    assert_equal [403, "FORBIDDEN"], [error.status, error.code]
  end

  def test_close_and_break_free_the_servers_stream_slot_six_streams_in_turn_under_a_cap_of_5
    client = client("Slots")
    3.times { client.events.stream.close }
    3.times do |number|
      stream = client.events.stream
      client.tags.create(name: "slot #{number}")
      Timeout.timeout(DEADLINE) { stream.each { break } }
    end
    # The cap still holds: with five open, a sixth is refused.
    held = Array.new(5) { client.events.stream }
    error = assert_raises(Voltasis::RateLimitError) do
      client.events.stream(request_options: { max_retries: 0 })
    end
    assert_equal "too_many_streams", error.details[:reason]
  ensure
    held&.each(&:close)
  end

  def test_raises_authentication_error_when_the_streams_key_is_revoked
    admin = client("Revoke")
    key = admin.api_keys.create(name: "revoked soon", scopes: ["read"])
    stream = Voltasis::Client.new(api_key: key.secret).events.stream
    admin.api_keys.delete(key.id)
    error = assert_raises(Voltasis::AuthenticationError) { Timeout.timeout(DEADLINE) { stream.to_a } }
    assert_equal [401, "revoked_token"], [error.status, error.details[:reason]]
  end
end
