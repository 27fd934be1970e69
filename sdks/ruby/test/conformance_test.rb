# frozen_string_literal: true

require_relative "test_helper"

# The conformance scenario every SDK runs (test/sdk/SCENARIO.md), step by step, against the live
# server in VOLTASIS_BASE_URL, using the SDK as a user would.
class ConformanceTest < Minitest::Test
  include TestHelpers

  def setup
    skip_without_server
  end

  def test_the_scenario
    register_and_create_an_api_key
    create_a_client_project_task_and_tag
    start_see_and_stop_a_timer
    create_120_entries_and_iterate_them_lazily
    a_summary_report
    a_not_found_error
    a_webhook_delivery_verified_both_ways
    a_rate_limited_burst_is_retried
  end

  private

  # Steps 1 and 2: the key comes in through VOLTASIS_API_KEY, as a deployment would give it.
  def register_and_create_an_api_key
    session, @key = register_with_admin_key("Ruby SDK conformance")
    assert_match(/\Avlt_at_/, session.access_token)
    assert_match(/\Avlt_live_/, @key.secret)
    @client = with_env("VOLTASIS_API_KEY" => @key.secret) { Voltasis::Client.new }
    assert_equal session.user.id, @client.auth.me.id
    @events = []
    @client.on_request { |event| @events << event }
  end

  def create_a_client_project_task_and_tag
    customer = @client.clients.create(name: "Acme")
    @project = @client.projects.create(name: "Website", client_id: customer.id)
    @task = @client.tasks.create(title: "Design", project_id: @project.id)
    @tag = @client.tags.create(name: "design")
    assert_equal customer.id, @client.projects.retrieve(@project.id).client_id
  end

  def start_see_and_stop_a_timer
    timer = @client.time_entries.start(project_id: @project.id, task_id: @task.id, tag_ids: [@tag.id],
                                       description: "Wireframes")
    current = @client.time_entries.current
    assert_equal [timer.id, true, [@tag.id]], [current.id, current.running, current.tag_ids]
    stopped = @client.time_entries.stop(timer.id)
    refute stopped.running
    refute_nil stopped.end
  end

  # Step 5: 121 entries in pages of 50 are 3 requests, each made only when the iteration needs it.
  def create_120_entries_and_iterate_them_lazily
    @since = Time.now.utc - (2 * 86_400)
    120.times do |n|
      @client.time_entries.create(start: @since + (n * 600), duration: 300 + n, project_id: @project.id)
    end
    @events.clear
    requests_when_yielded = []
    @entries = []
    @client.time_entries.list(per_page: 50).each do |entry|
      requests_when_yielded << @events.size
      @entries << entry
    end
    assert_equal 121, @entries.map(&:id).uniq.size
    assert_equal [1, 2, 3], requests_when_yielded.values_at(0, 50, 100)
    assert_equal 3, @events.size
    assert(@events.all? { |event| event.method == "GET" && event.url.include?("/v1/time-entries") })
  end

  def a_summary_report
    summary = @client.reports.summary(from: @since - 3600, to: Time.now.utc + 3600, group_by: "project")
    group = summary.groups.find { |g| g.key.project_id == @project.id }
    assert_equal @entries.sum(&:duration), group.seconds
    assert_equal 121, group.entries
  end

  def a_not_found_error
    error = assert_raises(Voltasis::NotFoundError) { @client.projects.retrieve("prj_00000000000000000000000000") }
    assert_equal [404, "NOT_FOUND"], [error.status, error.code]
    refute_empty error.message
    assert_kind_of Hash, error.details
    assert_match(/\Areq_/, error.request_id)
    assert_equal error.headers["x-request-id"], error.request_id
    assert_equal JSON.parse(error.body).dig("metadata", "request_id"), error.request_id
  end

  def a_webhook_delivery_verified_both_ways
    receiver = FakeServer.new { |_request, _index| [200, {}, "ok"] }
    webhook = @client.webhooks.create(url: "#{receiver.url}/hooks", events: ["tag.created"])
    tag = @client.tags.create(name: "delivered")
    delivery = wait_for("the tag.created delivery") do
      receiver.requests.find { |request| request.json.dig("data", "id") == tag.id }
    end
    body = delivery.body
    headers = delivery.headers

    event = Voltasis::Webhook.verify(body, headers, secret: webhook.secret)
    assert_equal ["tag.created", tag.id], [event.event, event.data.id]
    assert_equal event.id, Voltasis::Webhook.verify(body, headers, secret: webhook.secret, scheme: :x_signature).id

    changed = body.sub("delivered", "forged")
    wrong = "whsec_#{[SecureRandom.bytes(24)].pack("m0")}"
    late = Time.at(headers["webhook-timestamp"].to_i + 301)
    [
      -> { Voltasis::Webhook.verify(changed, headers, secret: webhook.secret) },
      -> { Voltasis::Webhook.verify(changed, headers, secret: webhook.secret, scheme: :x_signature) },
      -> { Voltasis::Webhook.verify(body, headers, secret: wrong) },
      -> { Voltasis::Webhook.verify(body, headers, secret: wrong, scheme: :x_signature) },
      -> { Voltasis::Webhook.verify(body, headers, secret: webhook.secret, now: late) },
    ].each { |attempt| assert_raises(Voltasis::WebhookVerificationError, &attempt) }
  ensure
    receiver&.close
  end

  # Step 9: the free plan here allows 3 requests per 2 seconds.
  def a_rate_limited_burst_is_retried
    assert_equal "free", @client.organization.update(plan: "free").plan
    @events.clear
    6.times { assert_equal @project.id, @client.projects.retrieve(@project.id).id }
    retried = @events.select(&:retrying?)
    refute_empty retried, "a 429 was retried"
    assert(retried.all? { |event| event.status == 429 })

    strict = Voltasis::Client.new(api_key: @key.secret, max_retries: 0)
    error = assert_raises(Voltasis::RateLimitError) { 6.times { strict.projects.retrieve(@project.id) } }
    assert_equal [429, "RATE_LIMIT_EXCEEDED"], [error.status, error.code]
    assert_operator error.retry_after, :>=, 1
  end
end
