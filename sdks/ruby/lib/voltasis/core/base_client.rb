# frozen_string_literal: true

module Voltasis
  # The client's configuration and the one call every generated operation makes (`execute`).
  # Voltasis::Client (generated) adds a reader per resource: `client.projects`, `client.time_entries`.
  class BaseClient
    DEFAULT_BASE_URL = "http://127.0.0.1:3000"
    DEFAULT_TIMEOUT = 60
    DEFAULT_MAX_RETRIES = 2

    attr_reader :base_url, :timeout, :max_retries

    # @param api_key [String, nil] an API key (`vlt_live_…` or `vlt_test_…`); default `VOLTASIS_API_KEY`
    # @param access_token [String, nil] any other Bearer token (a user's access token from
    #   `auth.login`); the same as `api_key`, named for what it holds
    # @param base_url [String, nil] the server; default `VOLTASIS_BASE_URL`, else http://127.0.0.1:3000
    # @param timeout [Numeric] seconds each attempt may take to connect, send and read (default 60)
    # @param max_retries [Integer] tries after the first for 429, 503 and connection errors (default 2)
    # @param organization_id [String, nil] act for another organization (`X-Organization-ID`)
    # @param headers [Hash] extra headers on every request
    # @param logger [Logger, nil] logs every attempt (debug) and every retry (info)
    def initialize(api_key: nil, access_token: nil, base_url: nil, timeout: DEFAULT_TIMEOUT,
                   max_retries: DEFAULT_MAX_RETRIES, organization_id: nil, headers: {}, logger: nil)
      if api_key && access_token && api_key != access_token
        raise ArgumentError, "give api_key or access_token, not both: both are the Bearer token"
      end

      @token = present(api_key) || present(access_token) || present(ENV.fetch("VOLTASIS_API_KEY", nil))
      @base_url = (present(base_url) || present(ENV.fetch("VOLTASIS_BASE_URL", nil)) || DEFAULT_BASE_URL)
                  .sub(%r{/+\z}, "").sub(%r{/v1\z}, "")
      @timeout = timeout
      @max_retries = max_retries
      @transport = Transport.new(
        base_url: @base_url, timeout: timeout, max_retries: max_retries, logger: logger,
        headers: default_headers(organization_id).merge(headers),
      )
    end

    # Calls the block after every attempt with a RequestEvent (status, request id, `retry_in`…):
    # for metrics, or to see the retries happen.
    # @yieldparam event [RequestEvent]
    def on_request(&block)
      raise ArgumentError, "on_request needs a block" unless block

      @transport.hooks << block
      block
    end

    # A request the generated resources do not offer (yet): the raw Response of a 2xx answer.
    # POST and PATCH get an Idempotency-Key as every operation's do.
    # @return [Response]
    def request(method, path, query: nil, body: nil, request_options: {}, idempotent: nil)
      idempotent = %i[post patch].include?(method) if idempotent.nil?
      options = RequestOptions.coerce(request_options)
      @transport.perform(method, path, query: query, body: body, options: options, idempotent: idempotent)
    end

    # One operation, as the generated resources describe it: what `data` becomes (a model, nil for
    # a 204, the text of a file) or, for a list, a lazy List over all its pages; for an event
    # stream, the connected EventStream, or with a block, each event given to the block.
    def execute(method:, path:, params: nil, request_options: nil, response: :envelope, model: Model,
                idempotent: false, cursor: false, &block)
      options = params ? params.request_options : RequestOptions.coerce(request_options)
      query = params ? params.query : {}
      if response == :list
        return List.new(self, path: path, query: query, options: options, model: model, cursor: cursor)
      end
      if response == :event_stream
        stream = EventStream.new(@transport, path: path, query: query, options: options, model: model)
        return block ? stream.each(&block) : stream
      end

      body = params&.body
      answer = @transport.perform(method, path, query: query, body: body, options: options, idempotent: idempotent)
      case response
      when :empty then nil
      when :file then answer.body
      else Model.construct(answer.json["data"], model)
      end
    end

    # One page of a list (List calls this as it goes).
    # @return [Page]
    def fetch_page(path, query, options, model)
      answer = @transport.perform(:get, path, query: query, options: options)
      envelope = answer.json
      Page.new(
        data: Model.construct(envelope["data"], model),
        pagination: Model.construct(envelope["pagination"]),
        request_id: answer.request_id,
      )
    end

    def inspect
      "#<#{self.class.name} base_url=#{@base_url.inspect} token=#{@token ? "#{@token[0, 9]}…" : "none"}>"
    end

    private

    def present(value)
      value.nil? || value.to_s.empty? ? nil : value.to_s
    end

    def default_headers(organization_id)
      headers = {
        "Accept" => "application/json",
        "User-Agent" => "voltasis-ruby/#{VERSION} ruby/#{RUBY_VERSION}",
      }
      headers["Authorization"] = "Bearer #{@token}" if @token
      headers["X-Organization-ID"] = organization_id if organization_id
      headers
    end
  end
end
