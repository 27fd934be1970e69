# frozen_string_literal: true

module Voltasis
  # Conversions between Ruby values and the API's JSON, query strings and paths.
  module Util
    module_function

    # JSON objects with symbol keys, recursively.
    def symbolize(value)
      case value
      when Hash then value.to_h { |key, item| [key.to_sym, symbolize(item)] }
      when Array then value.map { |item| symbolize(item) }
      else value
      end
    end

    # A value as the API reads it: times as RFC 3339 in UTC (SPEC §2), models as their hashes.
    def to_api(value)
      case value
      when Time then value.utc.iso8601
      when DateTime then value.to_time.utc.iso8601
      when Date then value.iso8601
      when Hash then value.to_h { |key, item| [key.to_s, to_api(item)] }
      when Array then value.map { |item| to_api(item) }
      when Model then to_api(value.to_h)
      else value
      end
    end

    # A query string; a list (`group_by: %w[project user]`) is sent comma-separated, as the API reads it.
    def query_string(query)
      pairs = query.filter_map do |name, value|
        next if value.nil?

        value = value.map { |item| to_api(item) }.join(",") if value.is_a?(Array)
        [name.to_s, to_api(value).to_s]
      end
      URI.encode_www_form(pairs)
    end

    # One path segment, escaped; an empty id would silently address the collection instead.
    def path_segment(name, value)
      text = value.to_s
      raise ArgumentError, "#{name} must not be empty" if text.empty?

      text.b.gsub(/[^A-Za-z0-9\-._~]/) { |char| format("%%%02X", char.ord) }
    end
  end
end
