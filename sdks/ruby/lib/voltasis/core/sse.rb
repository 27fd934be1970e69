# frozen_string_literal: true

module Voltasis
  # One event of a text/event-stream body: `event` ("message" when it named none), `data` (its
  # `data:` lines joined with "\n") and `id` (the last event id when it was dispatched).
  ServerSentEvent = Struct.new(:event, :data, :id, keyword_init: true)

  # Reads a text/event-stream body as the WHATWG HTML standard's "event stream interpretation"
  # (§9.2.6) does: lines end with CRLF, LF or CR, even when a chunk splits the CR from its LF;
  # `data:` lines join with "\n"; `:` starts a comment (the API's heartbeat); `id:` sets the last
  # event id, which the event keeps; `retry:` with digits only sets the reconnection delay; a blank
  # line dispatches the event, none without data. It works on bytes (the line ends it looks for are
  # ASCII, so a chunk may split a character) and gives UTF-8 text.
  class SSEParser
    LINE_END = /\r\n|\r|\n/n
    BOM = "\xEF\xBB\xBF".b.freeze

    # @return [String] the last event id at the latest blank line: where a reconnection resumes
    attr_reader :last_event_id
    # @return [Integer, nil] milliseconds of the latest valid `retry:`
    attr_reader :retry

    def initialize
      @last_event_id = +""
      @retry = nil
      @id_buffer = +""
      @event_type = +""
      @data = []
      @partial = "".b
      @after_cr = false
      @started = false
    end

    # @param chunk [String] any slice of the body
    # @return [Array<ServerSentEvent>] the events it completes
    def feed(chunk)
      text = chunk.b
      return [] if text.empty?

      text = text.delete_prefix(BOM) unless @started
      @started = true
      # A CR that ended the previous chunk has ended its line already; an LF right after it is
      # the rest of that CRLF, not a blank line.
      text = text.delete_prefix("\n") if @after_cr
      @after_cr = text.end_with?("\r")
      # split drops everything of an empty string, the partial line included.
      return [] if text.empty?

      lines = (@partial + text).split(LINE_END, -1)
      @partial = lines.pop
      lines.filter_map { |line| line(line.force_encoding(Encoding::UTF_8)) }
    end

    private

    def line(line)
      return dispatch if line.empty?
      return nil if line.start_with?(":")

      field, colon, value = line.partition(":")
      value = value.delete_prefix(" ") unless colon.empty?
      case field
      when "event" then @event_type = value
      when "data" then @data << value
      when "id" then @id_buffer = value unless value.include?("\0")
      when "retry" then @retry = value.to_i if value.match?(/\A\d+\z/)
      end
      nil
    end

    def dispatch
      @last_event_id = @id_buffer
      data = @data
      event = @event_type.empty? ? "message" : @event_type
      @data = []
      @event_type = +""
      return nil if data.empty?

      ServerSentEvent.new(event: event, data: data.join("\n"), id: @last_event_id)
    end
  end
end
