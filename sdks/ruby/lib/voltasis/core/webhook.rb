# frozen_string_literal: true

module Voltasis
  # Verifies that a webhook delivery comes from Voltasis (SPEC §7). Every delivery carries two
  # signatures of the raw body:
  #
  # - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`): HMAC-SHA256 of
  #   "id.timestamp.body", keyed by the base64-decoded part of the secret after `whsec_`, with a
  #   timestamp that refuses replays older (or newer) than `tolerance` seconds. The default.
  # - `X-Signature` (seed 003): hex HMAC-SHA256 of the body keyed by the whole `whsec_…` secret. It
  #   has no timestamp, so a captured delivery can be replayed: use it only when you must.
  #
  # `verify` does not fall back from one scheme to the other: an attacker who strips the Standard
  # Webhooks headers must not get the weaker check.
  module Webhook
    DEFAULT_TOLERANCE = 300
    SECRET_PREFIX = "whsec_"

    module_function

    # @param payload [String] the raw request body, exactly as received (not parsed and re-encoded)
    # @param headers [Hash, #each] the request's headers in any case; a Rack or Rails env
    #   (`HTTP_WEBHOOK_ID`) works too
    # @param secret [String] the endpoint's secret (`whsec_…`), from `webhooks.create`
    # @param scheme [Symbol] `:standard` (default) or `:x_signature`
    # @return [Model] the event: `event.id`, `event.event`, `event.data`, …
    # @raise [WebhookVerificationError]
    def verify(payload, headers, secret:, scheme: :standard, tolerance: DEFAULT_TOLERANCE, now: Time.now)
      raise ArgumentError, "payload must be the raw body as a String" unless payload.is_a?(String)

      found = header_map(headers)
      case scheme
      when :standard
        verify_standard(
          payload, id: found["webhook-id"], timestamp: found["webhook-timestamp"],
                   signature: found["webhook-signature"], secret: secret, tolerance: tolerance, now: now
        )
      when :x_signature then verify_x_signature(payload, found["x-signature"], secret: secret)
      else raise ArgumentError, "scheme must be :standard or :x_signature, not #{scheme.inspect}"
      end
      Model.construct(JSON.parse(payload))
    rescue JSON::ParserError
      raise WebhookVerificationError, "The body is not JSON"
    end

    # @return [true]
    # @raise [WebhookVerificationError]
    def verify_x_signature(payload, signature, secret:)
      raise WebhookVerificationError, "No X-Signature header" if signature.to_s.empty?

      expected = OpenSSL::HMAC.hexdigest("SHA256", secret, payload.b)
      return true if OpenSSL.secure_compare(expected, signature.strip.downcase)

      raise WebhookVerificationError, "X-Signature does not match the body and secret"
    end

    # @return [true]
    # @raise [WebhookVerificationError]
    def verify_standard(payload, id:, timestamp:, signature:, secret:, tolerance: DEFAULT_TOLERANCE, now: Time.now)
      { "webhook-id" => id, "webhook-timestamp" => timestamp, "webhook-signature" => signature }.each do |name, value|
        raise WebhookVerificationError, "No #{name} header" if value.to_s.empty?
      end
      check_timestamp(timestamp, tolerance, now)
      key = secret.delete_prefix(SECRET_PREFIX).unpack1("m")
      signed = "#{id}.#{timestamp}.".b + payload.b
      expected = [OpenSSL::HMAC.digest("SHA256", key, signed)].pack("m0")
      matches = signature.split(" ").any? do |entry|
        version, value = entry.split(",", 2)
        version == "v1" && !value.nil? && OpenSSL.secure_compare(expected, value)
      end
      return true if matches

      raise WebhookVerificationError, "webhook-signature does not match the body and secret"
    end

    def check_timestamp(timestamp, tolerance, now)
      sent = Integer(timestamp, 10)
      age = now.to_i - sent
      raise WebhookVerificationError, "webhook-timestamp is #{age} s old (tolerance #{tolerance} s)" if age > tolerance
      raise WebhookVerificationError, "webhook-timestamp is #{-age} s in the future" if -age > tolerance
    rescue ArgumentError, TypeError
      raise WebhookVerificationError, "webhook-timestamp is not a number of seconds"
    end

    # Header names in lower case with dashes, whether from a Hash, Net::HTTP or a Rack env.
    def header_map(headers)
      headers.each_with_object({}) do |(name, value), map|
        key = name.to_s.downcase
        key = key.delete_prefix("http_").tr("_", "-") if key.start_with?("http_")
        map[key] = value.is_a?(Array) ? value.join(" ") : value.to_s
      end
    end
  end
end
