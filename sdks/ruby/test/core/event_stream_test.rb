# frozen_string_literal: true

require_relative "../test_helper"

# The SSE parser, and `client.events.stream` against a fake server: what it asks for, reconnection
# with Last-Event-ID, the stream_closed frame, refusals, and closing.
class SSEParserTest < Minitest::Test
  FRAME = "retry: 3000\n\nid: evt_1\nevent: tag.created\ndata: {\"id\":\"evt_1\"}\n\n: heartbeat\n\n" \
          "id: evt_2\nevent: tag.updated\ndata: {\"id\":\"evt_2\"}\n\n"

  def parse(*chunks)
    parser = Voltasis::SSEParser.new
    [chunks.flat_map { |chunk| parser.feed(chunk) }.map(&:to_a), parser]
  end

  def test_reads_the_apis_frames_and_skips_heartbeats
    events, parser = parse(FRAME)
    assert_equal [["tag.created", '{"id":"evt_1"}', "evt_1"], ["tag.updated", '{"id":"evt_2"}', "evt_2"]], events
    assert_equal [3000, "evt_2"], [parser.retry, parser.last_event_id]
  end

  def test_gives_the_same_events_however_the_body_is_cut
    whole, = parse(FRAME)
    assert_equal whole, parse(*FRAME.chars).first
    (1...FRAME.size).each { |cut| assert_equal whole, parse(FRAME[0, cut], FRAME[cut..]).first, cut }
  end

  def test_ends_lines_at_crlf_lf_or_cr_even_with_a_crlf_cut_in_two
    whole, = parse(FRAME)
    crlf = FRAME.gsub("\n", "\r\n")
    split = crlf.index("\r\n") + 1
    assert_equal whole, parse(crlf).first
    assert_equal whole, parse(FRAME.tr("\n", "\r")).first
    assert_equal whole, parse(*crlf.chars).first
    assert_equal whole, parse(crlf[0, split], crlf[split..]).first
  end

  def test_joins_multi_line_data_strips_one_space_only_and_keeps_utf8_split_across_chunks
    events, = parse("data: first\ndata:second\ndata:  third\ndata\n\n")
    assert_equal [["message", "first\nsecond\n third\n", ""]], events
    bytes = "data: café\n\n".b
    cut = bytes.index("\xA9".b)
    events, = parse(bytes[0, cut], bytes[cut..])
    assert_equal "café", events.first[1]
    assert_equal Encoding::UTF_8, events.first[1].encoding
  end

  def test_keeps_the_last_id_and_drops_what_has_no_data_or_no_end
    events, parser = parse("id: evt_1\n\ndata: a\n\nid: evt_2\ndata: b\n\nid: evt_3\ndata: cut off")
    assert_equal [%w[message a evt_1], %w[message b evt_2]], events
    assert_equal "evt_2", parser.last_event_id
  end

  def test_ignores_unknown_fields_a_bad_retry_an_id_with_nul_and_a_bom
    events, parser = parse("\uFEFFretry: 10\n", "retry: soon\nid: a\0b\nfoo: bar\ndata: x\n\n")
    assert_equal [["message", "x", ""]], events
    assert_equal 10, parser.retry
  end
end

class EventStreamTest < Minitest::Test
  include TestHelpers

  def event(number, name = "project.created")
    data = JSON.generate(id: "evt_#{number}", event: name, resource_id: "prj_#{number}")
    "id: evt_#{number}\nevent: #{name}\ndata: #{data}\n\n"
  end

  def closed(reason, reconnect)
    "event: stream_closed\ndata: #{JSON.generate(reason: reason, message: "Closed: #{reason}", reconnect: reconnect)}\n\n"
  end

  # A stream of the fake server whose waits before reconnecting are recorded, not slept.
  def open_stream(server, pauses, **options)
    client, transport_pauses = client_for(server, **options)
    stream = client.events.stream
    stream.define_singleton_method(:pause) { |seconds| pauses << seconds }
    [stream, transport_pauses]
  end

  def test_asks_for_an_event_stream_with_the_query_and_yields_models
    reply = EventStreamReply.new("retry: 3000\n\n", event(1), ": heartbeat\n\n", event(2, "tag.updated"), hang: true)
    with_server(->(_request, _index) { reply }) do |server|
      client, = client_for(server)
      seen = []
      client.events.stream(last_event_id: "evt_0") do |item|
        seen << item
        break if seen.size == 2
      end
      assert_equal [%w[evt_1 project.created prj_1], %w[evt_2 tag.updated prj_2]],
                   seen.map { |item| [item.id, item.event, item.resource_id] }
      assert_kind_of Voltasis::Models::Event, seen.first
      request = server.requests.first
      assert_equal ["/v1/events/stream", { "last_event_id" => "evt_0" }], [request.path, request.query]
      assert_equal "text/event-stream", request.headers["accept"]
      assert_equal "Bearer vlt_live_test", request.headers["authorization"]
      assert reply.disconnected?, "break closes the connection"
    end
  end

  def test_reconnects_after_a_drop_with_the_last_event_id_after_the_servers_retry_delay
    replies = [EventStreamReply.new("retry: 1500\n\n", event(1), event(2)), EventStreamReply.new(event(3)),
               EventStreamReply.new(event(4), event(5), hang: true),]
    with_server(->(_request, index) { replies[index] }) do |server|
      pauses = []
      stream, = open_stream(server, pauses)
      assert_equal %w[evt_1 evt_2 evt_3 evt_4 evt_5], stream.first(5).map(&:id)
      assert_equal [nil, "evt_2", "evt_3"], server.requests.map { |request| request.headers["last-event-id"] }
      assert_equal [1.5, 1.5], pauses
      assert stream.closed?
    end
  end

  def test_reconnects_when_the_body_is_silent_longer_than_the_timeout
    replies = [EventStreamReply.new(event(1), hang: true), EventStreamReply.new(event(2), hang: true)]
    with_server(->(_request, index) { replies[index] }) do |server|
      stream, = open_stream(server, [], timeout: 0.2)
      assert_equal %w[evt_1 evt_2], stream.first(2).map(&:id)
      assert replies.first.disconnected?
      assert_equal "evt_1", server.requests[1].headers["last-event-id"]
    end
  end

  def test_follows_a_stream_closed_that_allows_reconnecting
    replies = [EventStreamReply.new(event(1), closed("shutting_down", true), hang: true),
               EventStreamReply.new(event(2), hang: true),]
    with_server(->(_request, index) { replies[index] }) do |server|
      pauses = []
      stream, = open_stream(server, pauses)
      assert_equal %w[evt_1 evt_2], stream.first(2).map(&:id)
      assert_equal "evt_1", server.requests[1].headers["last-event-id"]
      assert_equal [3.0], pauses
    end
  end

  def test_raises_the_typed_error_for_a_stream_closed_that_forbids_reconnecting
    { "revoked_token" => [Voltasis::AuthenticationError, 401],
      "insufficient_scope" => [Voltasis::PermissionDeniedError, 403], }.each do |reason, (error_class, status)|
      reply = EventStreamReply.new(event(1), closed(reason, false), hang: true)
      with_server(->(_request, _index) { reply }) do |server|
        client, = client_for(server)
        seen = []
        error = assert_raises(error_class) { client.events.stream { |item| seen << item.id } }
        assert_equal ["evt_1"], seen
        assert_equal [status, reason, "Closed: #{reason}", "req_stream"],
                     [error.status, error.details[:reason], error.message, error.request_id]
        assert_equal 1, server.requests.size
        assert reply.disconnected?
      end
    end
  end

  def test_a_refused_connection_raises_at_once_and_a_429_is_retried
    with_server(->(_request, _index) { FakeServer.error(403, "FORBIDDEN", "Missing scope read:events") }) do |server|
      client, = client_for(server)
      error = assert_raises(Voltasis::PermissionDeniedError) { client.events.stream }
      assert_equal ["req_test403", 1], [error.request_id, server.requests.size]
    end

    answers = [FakeServer.error(429, "RATE_LIMIT_EXCEEDED", "Too many open event streams", {}, "Retry-After" => "5"),
               EventStreamReply.new(event(1), hang: true),]
    with_server(->(_request, index) { answers[index] }) do |server|
      stream, transport_pauses = open_stream(server, [])
      assert_equal ["evt_1"], stream.first(1).map(&:id)
      assert_equal [5.0], transport_pauses
    end
  end

  def test_close_before_reading_closes_the_connection
    reply = EventStreamReply.new(event(1), hang: true)
    with_server(->(_request, _index) { reply }) do |server|
      stream, = open_stream(server, [])
      stream.close
      assert reply.disconnected?
      assert_equal [], stream.to_a
    end
  end

  def test_close_ends_the_iteration_and_the_connection
    reply = EventStreamReply.new(event(1), event(2), hang: true)
    with_server(->(_request, _index) { reply }) do |server|
      stream, = open_stream(server, [])
      seen = []
      stream.each do |item|
        seen << item.id
        stream.close
      end
      assert_equal ["evt_1"], seen
      assert reply.disconnected?
      assert_equal [], stream.to_a
    end
  end
end
