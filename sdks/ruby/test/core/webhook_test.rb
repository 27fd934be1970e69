# frozen_string_literal: true

require_relative "../test_helper"
require "stringio"

# Both signature schemes of SPEC §7, against headers the server's own signer
# (src/features/webhooks/signature.ts) produced for this body and these secrets.
class WebhookTest < Minitest::Test
  SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
  PREVIOUS_SECRET = "whsec_ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7"
  BODY = '{"id":"evt_1","event":"tag.created","timestamp":"2024-01-01T00:00:00Z",' \
         '"organization_id":"org_1","data":{"name":"Café"}}'
  SENT_AT = Time.at(1_704_067_200)
  HEADERS = {
    "X-Signature" => "42a20fc459153bdb09cc107ca5d2dce8078ace341ca4baa43e35d76d2a0fcd41",
    "Webhook-Id" => "msg_1",
    "Webhook-Timestamp" => "1704067200",
    "Webhook-Signature" => "v1,tlo6ZrxYZzo8afZybA+UeaGvqGlPs1dLFt77HK65MVM=",
  }.freeze
  # During a rotation's overlap the server signs with the current and the previous secret.
  ROTATED_SIGNATURE = "v1,tlo6ZrxYZzo8afZybA+UeaGvqGlPs1dLFt77HK65MVM= v1,W3KEH69bE2G3ETtWS33UsK14sd5dxpYZJSSFTKHEzxM="

  def verify(body: BODY, headers: HEADERS, secret: SECRET, now: SENT_AT + 10, **options)
    Voltasis::Webhook.verify(body, headers, secret: secret, now: now, **options)
  end

  def assert_refused(pattern, &block)
    error = assert_raises(Voltasis::WebhookVerificationError, &block)
    assert_match pattern, error.message
  end

  def test_standard_webhooks_signature_verifies_and_gives_the_event
    event = verify
    assert_equal ["evt_1", "tag.created", "Café"], [event.id, event.event, event.data.name]
  end

  def test_x_signature_verifies
    assert_equal "evt_1", verify(scheme: :x_signature).id
    assert Voltasis::Webhook.verify_x_signature(BODY, HEADERS["X-Signature"], secret: SECRET)
  end

  def test_a_changed_body_is_refused_by_both_schemes
    changed = BODY.sub("Café", "Cafe")
    assert_refused(/webhook-signature does not match/) { verify(body: changed) }
    assert_refused(/X-Signature does not match/) { verify(body: changed, scheme: :x_signature) }
  end

  def test_a_wrong_secret_is_refused_by_both_schemes
    assert_refused(/does not match/) { verify(secret: PREVIOUS_SECRET) }
    assert_refused(/does not match/) { verify(secret: PREVIOUS_SECRET, scheme: :x_signature) }
  end

  def test_an_old_or_future_timestamp_is_refused_within_tolerance_accepted
    assert verify(now: SENT_AT + 299)
    assert_refused(/301 s old/) { verify(now: SENT_AT + 301) }
    assert_refused(/in the future/) { verify(now: SENT_AT - 301) }
    assert verify(now: SENT_AT + 3000, tolerance: 3600)
  end

  def test_the_previous_secret_verifies_during_a_rotation
    headers = HEADERS.merge("Webhook-Signature" => ROTATED_SIGNATURE)
    assert verify(headers: headers, secret: PREVIOUS_SECRET)
    assert verify(headers: headers, secret: SECRET)
  end

  def test_only_v1_entries_count
    good = HEADERS["Webhook-Signature"].delete_prefix("v1,")
    assert verify(headers: HEADERS.merge("Webhook-Signature" => "v2,bogus v1,#{good}"))
    assert_refused(/does not match/) { verify(headers: HEADERS.merge("Webhook-Signature" => "v2,#{good}")) }
  end

  def test_headers_from_a_rack_env_work
    env = HEADERS.to_h { |name, value| ["HTTP_#{name.upcase.tr("-", "_")}", value] }.merge("rack.input" => StringIO.new)
    assert_equal "evt_1", verify(headers: env).id
  end

  def test_missing_headers_are_named_and_there_is_no_fallback_to_the_weaker_scheme
    only_x_signature = HEADERS.slice("X-Signature")
    assert_refused(/No webhook-id header/) { verify(headers: only_x_signature) }
    assert_refused(/No X-Signature header/) { verify(headers: HEADERS.slice("Webhook-Id"), scheme: :x_signature) }
    assert_refused(/not a number/) { verify(headers: HEADERS.merge("Webhook-Timestamp" => "yesterday")) }
  end

  def test_a_parsed_body_is_an_argument_error
    assert_raises(ArgumentError) { Voltasis::Webhook.verify(JSON.parse(BODY), HEADERS, secret: SECRET) }
    assert_raises(ArgumentError) { verify(scheme: :md5) }
  end
end
