# frozen_string_literal: true

module Voltasis
  # A live stream of events (`GET /v1/events/stream`, Server-Sent Events), Enumerable:
  #
  #   client.events.stream { |event| puts event.event; break if done? }  # break closes it
  #   stream = client.events.stream                                      # or hold it, then
  #   stream.each { |event| … }                                          # (an Enumerator without a block)
  #   stream.close
  #
  # `client.events.stream` returns once the server accepted the stream (a 401, 403 or 429 raises its
  # error there), so what commits after it is seen. Each event is the model GET /v1/events/{id}
  # answers; heartbeats are skipped. A dropped connection, a body silent for the client's timeout
  # (the server sends a heartbeat every 15 s) and a `stream_closed` saying `reconnect: true` (a
  # server shutting down) are followed, after the server's `retry:` delay, by a reconnection with
  # `Last-Event-ID`, so no event is lost or repeated. A `stream_closed` saying `reconnect: false`
  # (the credential was revoked, expired or lost `read:events`) raises AuthenticationError or
  # PermissionDeniedError, as the reconnection would. `each` closes the stream when it ends, by
  # `break` or an exception too; `close` closes it outright. Both free the server's stream slot.
  #
  # Each connection runs in a Fiber that stops at every chunk of the body, so that reading goes
  # at the pace of the caller; use a stream from the thread that opened it.
  class EventStream
    include Enumerable

    # Seconds before reconnecting when the server has not said (`retry:`); EventSource's usual.
    DEFAULT_RECONNECT_DELAY = 3.0
    # Thrown to leave a connection (and Net::HTTP, which closes it on the way out).
    LEAVE = :voltasis_event_stream_leave

    # @return [String, nil] the id of the last event received: where a later stream can resume
    #   (`last_event_id:`)
    attr_reader :last_event_id

    # Connects (with the client's timeout and retries); raises the API's error if it refuses.
    def initialize(transport, path:, query:, options:, model:)
      @transport = transport
      @path = path
      @query = query
      @options = options
      @model = model
      @reconnect_delay = DEFAULT_RECONNECT_DELAY
      @last_event_id = nil
      @closed = false
      connect
    end

    # Yields each event as it comes, until the stream is closed; closes it when it returns.
    # @yieldparam event [Voltasis::Model]
    # @return [self, Enumerator]
    def each(&block)
      return enum_for(:each) unless block

      until @closed
        closing = read_connection(&block)
        break if @closed
        raise closed_error(closing) if closing && closing["reconnect"] != true

        pause(@reconnect_delay)
        connect unless @closed
      end
      self
    ensure
      close if block
    end

    # Closes the connection; `each` ends.
    def close
      @closed = true
      leave_connection
      nil
    end

    def closed?
      @closed
    end

    def inspect
      "#<#{self.class.name} #{@path} last_event_id=#{@last_event_id.inspect}#{" closed" if @closed}>"
    end

    private

    def connect
      leave_connection
      headers = { "Accept" => "text/event-stream" }
      headers["Last-Event-ID"] = @last_event_id if @last_event_id
      options = RequestOptions.new(**@options.to_h.merge(headers: (@options.headers || {}).merge(headers)))
      @connection = Fiber.new { catch(LEAVE) { run_connection(options) } }
      @response_headers = @connection.resume
      return if @response_headers.is_a?(Hash)

      raise APIError.new("GET #{@path} did not answer with an event stream", status: @response_headers&.status)
    end

    # Runs inside the connection's Fiber: gives the headers of a 2xx back, then each chunk of the
    # body as it is asked for, until the body ends, breaks or the stream leaves it.
    def run_connection(options)
      on_answer = lambda do |answer|
        next unless answer.code.to_i.between?(200, 299)

        throw(LEAVE, :left) if Fiber.yield(answer.each_header.to_h) == :leave
        begin
          answer.read_body { |chunk| throw(LEAVE, :left) if Fiber.yield(chunk) == :leave }
        rescue *Transport::TIMEOUT_ERRORS, *Transport::CONNECTION_ERRORS
          nil # a broken or silent connection: the stream reconnects
        end
        # Left by throwing, so that Net::HTTP neither reads the rest nor retries a broken body.
        throw(LEAVE, :ended)
      end
      @transport.perform(:get, @path, query: @query, options: options, on_answer: on_answer)
    end

    # One connection's events, until it ends: the `stream_closed` data it ended with, or nil.
    def read_connection
      parser = SSEParser.new
      while @connection&.alive? && !@closed
        chunk = @connection.resume
        break unless chunk.is_a?(String)

        parser.feed(chunk).each do |message|
          return closing_of(message) if message.event == "stream_closed"

          event = Model.construct(JSON.parse(message.data), @model)
          @last_event_id = message.id unless message.id.empty?
          yield event
          return nil if @closed
        end
        @reconnect_delay = parser.retry / 1000.0 if parser.retry
      end
      nil
    end

    def leave_connection
      @connection.resume(:leave) if @connection&.alive?
      @connection = nil
    end

    def closing_of(message)
      closing = JSON.parse(message.data)
      closing.is_a?(Hash) ? closing : {}
    rescue JSON::ParserError
      {}
    end

    # The 401 or 403 a reconnection would get, with `details[:reason]` saying why.
    def closed_error(closing)
      reason = closing["reason"].is_a?(String) ? closing["reason"] : "stream_closed"
      forbidden = reason == "insufficient_scope"
      (forbidden ? PermissionDeniedError : AuthenticationError).new(
        closing["message"].is_a?(String) ? closing["message"] : "The stream was closed: #{reason}",
        status: forbidden ? 403 : 401, code: forbidden ? "FORBIDDEN" : "UNAUTHORIZED",
        details: { reason: reason, reconnect: false }, request_id: @response_headers["x-request-id"],
        headers: @response_headers,
      )
    end

    def pause(seconds)
      sleep(seconds)
    end
  end
end
