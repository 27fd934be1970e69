# frozen_string_literal: true

module Voltasis
  # An answer of the API: status, headers (names in lower case) and the raw body.
  Response = Struct.new(:status, :headers, :body) do
    def request_id
      headers["x-request-id"]
    end

    def json
      JSON.parse(body)
    end

    def json_or_nil
      body.nil? || body.empty? ? nil : json
    rescue JSON::ParserError
      nil
    end
  end

  # What happened in one attempt, given to `Client#on_request` hooks: the status (nil when no
  # answer came), the error of a failed attempt, and `retry_in` seconds when the SDK tries again.
  RequestEvent = Struct.new(
    :method, :url, :attempt, :status, :request_id, :error, :retry_in, :duration, keyword_init: true,
  ) do
    def retrying?
      !retry_in.nil?
    end
  end

  # Sends one request over Net::HTTP and tries again where that is safe and useful (SPEC §9):
  # 429 and 503 after their `Retry-After`, connection errors and timeouts after a backoff, and
  # 409 IDEMPOTENCY_KEY_IN_USE (the first try of this very request is still running). A POST or
  # PATCH keeps one Idempotency-Key across its tries, so the server runs it at most once.
  class Transport
    INITIAL_BACKOFF = 0.5
    MAX_BACKOFF = 8.0
    # A `Retry-After` longer than this (a daily limit) is not waited out: the error is raised.
    MAX_RETRY_AFTER = 60
    TIMEOUT_ERRORS = [Timeout::Error].freeze
    CONNECTION_ERRORS = [SocketError, IOError, SystemCallError, OpenSSL::SSL::SSLError, Net::HTTPBadResponse].freeze
    METHODS = { get: "GET", post: "POST", put: "PUT", patch: "PATCH", delete: "DELETE" }.freeze

    attr_reader :hooks

    def initialize(base_url:, headers:, timeout:, max_retries:, logger: nil)
      @base_url = base_url
      @headers = headers
      @timeout = timeout
      @max_retries = max_retries
      @logger = logger
      @hooks = []
    end

    # The backoff before retry number `index` (0 for the first): 0.5 s × 2^index, at most 8 s,
    # shortened by up to a quarter at random so that many clients do not retry in step.
    def self.backoff(index, random: Random)
      [INITIAL_BACKOFF * (2**index), MAX_BACKOFF].min * (1 - (0.25 * random.rand))
    end

    # `Retry-After` in seconds (RFC 9110: delay-seconds or an HTTP date), or nil.
    def self.retry_after(headers, now: Time.now)
      value = headers["retry-after"].to_s.strip
      return nil if value.empty?
      return value.to_f if value.match?(/\A\d+(\.\d+)?\z/)

      [Time.httpdate(value) - now, 0].max
    rescue ArgumentError
      nil
    end

    # @param on_answer [Proc, nil] called with each attempt's Net::HTTPResponse before its body is
    #   read: an event stream reads the body of a 2xx itself (see EventStream)
    # @return [Response] a 2xx or 3xx answer
    # @raise [APIStatusError, APIConnectionError] after the retries
    def perform(method, path, query: nil, body: nil, options: RequestOptions.new, idempotent: false, on_answer: nil)
      uri = url(path, query)
      headers = @headers.merge(options.headers || {})
      key = options.idempotency_key || (SecureRandom.uuid if idempotent)
      headers["Idempotency-Key"] = key if key
      headers["Content-Type"] = "application/json" unless body.nil?
      payload = body.nil? ? nil : JSON.generate(Util.to_api(body))
      max_retries = options.max_retries || @max_retries
      timeout = options.timeout || @timeout

      (1..).each do |attempt|
        started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        response, error = attempt_once(method, uri, headers, payload, timeout, on_answer)
        delay = retry_delay(response, error, attempt - 1, key) if attempt <= max_retries
        report(method, uri, attempt, response, error, delay, started)
        if delay
          pause(delay)
          next
        end
        raise error if error
        raise APIStatusError.from_response(response) if response.status >= 400

        return response
      end
    end

    private

    def url(path, query)
      uri = URI.parse(@base_url.sub(%r{/+\z}, "") + path)
      query_string = query.nil? || query.empty? ? nil : Util.query_string(query)
      uri.query = query_string unless query_string.nil? || query_string.empty?
      uri
    end

    # @return [Array(Response, nil), Array(nil, APIConnectionError)]
    def attempt_once(method, uri, headers, payload, timeout, on_answer = nil)
      http = Net::HTTP.new(uri.host, uri.port)
      http.use_ssl = uri.scheme == "https"
      http.open_timeout = http.read_timeout = http.write_timeout = timeout
      http.max_retries = 0 # the retries are ours, counted and reported
      request = Net::HTTPGenericRequest.new(METHODS.fetch(method), !payload.nil?, true, uri.request_uri, headers)
      request.body = payload
      answer = http.start { |connection| connection.request(request, &on_answer) }
      response_headers = answer.each_header.to_h
      [Response.new(answer.code.to_i, response_headers, answer.body.to_s.dup.force_encoding(Encoding::UTF_8)), nil]
    rescue *TIMEOUT_ERRORS
      [nil, APITimeoutError.new("Request timed out after #{timeout} s: #{METHODS[method]} #{uri}")]
    rescue *CONNECTION_ERRORS => e
      [nil, APIConnectionError.new("Connection error: #{METHODS[method]} #{uri}: #{e.message} (#{e.class})")]
    end

    # Seconds to wait before the next try, or nil when this answer is final.
    def retry_delay(response, error, retry_index, idempotency_key)
      return Transport.backoff(retry_index) if error
      return nil unless retryable?(response, idempotency_key)

      after = Transport.retry_after(response.headers)
      return Transport.backoff(retry_index) if after.nil?

      after <= MAX_RETRY_AFTER ? after : nil
    end

    def retryable?(response, idempotency_key)
      return true if [429, 503].include?(response.status)
      return false unless response.status == 409 && idempotency_key

      envelope = response.json_or_nil
      envelope.is_a?(Hash) && envelope.dig("error", "code") == "IDEMPOTENCY_KEY_IN_USE"
    end

    def report(method, uri, attempt, response, error, delay, started)
      event = RequestEvent.new(
        method: METHODS[method], url: uri.to_s, attempt: attempt, status: response&.status,
        request_id: response&.request_id, error: error, retry_in: delay,
        duration: Process.clock_gettime(Process::CLOCK_MONOTONIC) - started,
      )
      log(event)
      @hooks.each { |hook| hook.call(event) }
    end

    def log(event)
      return unless @logger

      outcome = event.status ? "#{event.status} #{event.request_id}" : event.error.message
      line = "voltasis: #{event.method} #{event.url} -> #{outcome} (attempt #{event.attempt}, " \
             "#{(event.duration * 1000).round} ms)"
      if event.retrying?
        @logger.info("#{line}; retrying in #{event.retry_in.round(2)} s")
      else
        @logger.debug(line)
      end
    end

    def pause(seconds)
      sleep(seconds)
    end
  end
end
