# frozen_string_literal: true

module Voltasis
  # The keyword arguments of one operation, checked as Ruby checks keywords (an unknown or missing
  # one is an ArgumentError before anything is sent) and sorted into query and body. The generated
  # `<Verb>Params` classes of each resource declare their fields with `query` and `body`.
  class Params
    Field = Struct.new(:location, :required)

    class << self
      def fields
        @fields ||= {}
      end

      def query(name, required: false)
        fields[name] = Field.new(:query, required)
      end

      def body(name, required: false)
        fields[name] = Field.new(:body, required)
      end

      # Whether the operation sends a JSON body (then at least `{}`).
      def body?
        fields.each_value.any? { |field| field.location == :body }
      end
    end

    # @return [RequestOptions]
    attr_reader :request_options

    def initialize(**values)
      values = values.transform_keys(&:to_sym)
      @request_options = RequestOptions.coerce(values.delete(:request_options))
      check_keywords(values)
      @values = values.freeze
    end

    def [](name)
      @values[name.to_sym]
    end

    def to_h
      @values.dup
    end

    # @return [Hash] the query parameters given
    def query
      located(:query)
    end

    # @return [Hash, nil] the JSON body, nil when the operation has none
    def body
      self.class.body? ? located(:body) : nil
    end

    private

    def located(location)
      @values.select { |name, _| self.class.fields[name].location == location }
    end

    def check_keywords(values)
      fields = self.class.fields
      unknown = values.keys - fields.keys
      unless unknown.empty?
        raise ArgumentError, "unknown keyword#{"s" if unknown.size > 1}: #{unknown.map(&:inspect).join(", ")} " \
                             "(#{self.class.name} takes #{fields.keys.map(&:inspect).join(", ")})"
      end
      missing = fields.select { |name, field| field.required && !values.key?(name) }.keys
      return if missing.empty?

      raise ArgumentError, "missing keyword#{"s" if missing.size > 1}: #{missing.map(&:inspect).join(", ")}"
    end
  end

  # What one call may change (`request_options:` on every operation): its own Idempotency-Key,
  # timeout, retries and extra headers (`If-Match`, `X-Organization-ID`, …).
  RequestOptions = Struct.new(:idempotency_key, :timeout, :max_retries, :headers, keyword_init: true) do
    def self.coerce(options)
      options.is_a?(RequestOptions) ? options : new(**(options || {}))
    end
  end
end
