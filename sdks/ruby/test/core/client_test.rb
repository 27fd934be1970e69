# frozen_string_literal: true

require_relative "../test_helper"

# Configuration, what goes on the wire (path, query, body, headers) and what comes back.
class ClientTest < Minitest::Test
  include TestHelpers

  def test_key_and_base_url_come_from_the_environment_when_not_given
    with_server(->(_request, _index) { FakeServer.json(200, envelope(PROJECT)) }) do |server|
      with_env("VOLTASIS_API_KEY" => "vlt_live_fromenv", "VOLTASIS_BASE_URL" => "#{server.url}/v1/") do
        Voltasis::Client.new.projects.retrieve("prj_1")
      end
      request = server.requests.first
      assert_equal "Bearer vlt_live_fromenv", request.headers["authorization"]
      assert_equal "/v1/projects/prj_1", request.path
      assert_match %r{\Avoltasis-ruby/\d}, request.headers["user-agent"]
    end
  end

  def test_the_defaults
    with_env("VOLTASIS_API_KEY" => nil, "VOLTASIS_BASE_URL" => nil) do
      client = Voltasis::Client.new
      assert_equal ["http://127.0.0.1:3000", 60, 2], [client.base_url, client.timeout, client.max_retries]
      refute_includes client.inspect, "vlt_"
    end
  end

  def test_an_access_token_is_a_bearer_token_too_and_an_organization_can_be_chosen
    with_server(->(_request, _index) { FakeServer.json(200, envelope(PROJECT)) }) do |server|
      client = Voltasis::Client.new(access_token: "vlt_at_abc", base_url: server.url, organization_id: "org_2")
      client.projects.retrieve("prj_1", request_options: { headers: { "If-None-Match" => '"v1"' } })

      headers = server.requests.first.headers
      assert_equal ["Bearer vlt_at_abc", "org_2", '"v1"'],
                   headers.values_at("authorization", "x-organization-id", "if-none-match")
    end
    assert_raises(ArgumentError) { Voltasis::Client.new(api_key: "vlt_live_a", access_token: "vlt_at_b") }
  end

  def test_keywords_go_to_the_query_or_the_body_as_the_contract_says
    with_server(->(_request, _index) { FakeServer.json(200, envelope(PROJECT)) }) do |server|
      client, = client_for(server)
      client.reports.summary(from: Time.utc(2024, 1, 1), to: "2024-02-01T00:00:00Z", group_by: %w[project user],
                             billable: true)
      client.time_entries.create(start: Time.new(2024, 1, 1, 10, 0, 0, "+02:00"), duration: 60, tag_ids: ["tag_1"])

      summary, created = server.requests
      assert_equal({ "from" => "2024-01-01T00:00:00Z", "to" => "2024-02-01T00:00:00Z", "group_by" => "project,user",
                     "billable" => "true" }, summary.query)
      assert_equal "", summary.body
      assert_equal({ "start" => "2024-01-01T08:00:00Z", "duration" => 60, "tag_ids" => ["tag_1"] }, created.json)
      assert_equal "application/json", created.headers["content-type"]
    end
  end

  def test_nil_is_sent_as_null_to_clear_a_field
    with_server(->(_request, _index) { FakeServer.json(200, envelope(PROJECT)) }) do |server|
      client, = client_for(server)
      client.projects.update("prj_1", client_id: nil)
      assert_equal({ "client_id" => nil }, server.requests.first.json)
    end
  end

  def test_an_operation_without_fields_sends_no_body_and_one_with_optional_fields_sends_an_object
    with_server(->(_request, _index) { FakeServer.json(200, envelope(nil)) }) do |server|
      client, = client_for(server)
      client.time_entries.stop("te_1")
      client.time_entries.start

      stop, start = server.requests
      assert_equal ["", nil], [stop.body, stop.headers["content-type"]]
      assert_equal({}, start.json)
    end
  end

  def test_unknown_and_missing_keywords_fail_before_sending
    with_server(->(_request, _index) { FakeServer.json(200, envelope(PROJECT)) }) do |server|
      client, = client_for(server)
      unknown = assert_raises(ArgumentError) { client.projects.create(name: "x", colour: "#fff") }
      assert_match(/unknown keyword: :colour/, unknown.message)
      assert_match(/missing keyword: :name/, assert_raises(ArgumentError) { client.projects.create }.message)
      no_fields = assert_raises(ArgumentError) { client.projects.retrieve("prj_1", name: "x") }
      assert_match(/unknown keyword/, no_fields.message)
      assert_raises(ArgumentError) { client.projects.list(request_options: { retries: 1 }) }
      assert_empty server.requests
    end
  end

  def test_path_ids_are_escaped_and_must_not_be_empty
    with_server(->(_request, _index) { FakeServer.json(200, envelope(PROJECT)) }) do |server|
      client, = client_for(server)
      client.webhooks.deliveries.retrieve("whk_1", "dlv/../x y")
      assert_equal "/v1/webhooks/whk_1/deliveries/dlv%2F..%2Fx%20y", server.requests.first.path
      assert_raises(ArgumentError) { client.projects.retrieve("") }
      assert_raises(ArgumentError) { client.projects.delete(nil) }
      assert_equal 1, server.requests.size
    end
  end

  def test_answers_become_models_nil_or_text
    answers = [FakeServer.json(200, envelope(PROJECT.merge(extra_field: { nested: 1 }))), [204, {}, ""],
               FakeServer.json(200, envelope(nil)), [200, { "Content-Type" => "text/csv" }, "start,end\n"]]
    with_server(->(_request, index) { answers[index] }) do |server|
      client, = client_for(server)
      project = client.projects.retrieve("prj_1")
      assert_instance_of Voltasis::Models::Project, project
      assert_equal ["Website", "Website", nil], [project.name, project[:name], project.color]
      assert_equal 1, project.extra_field.nested # a field newer than this library reads the same way
      assert_equal PROJECT.merge(extra_field: { nested: 1 }), project.to_h
      assert_nil client.projects.delete("prj_1")
      assert_nil client.time_entries.current
      assert_equal "start,end\n", client.jobs.result("job_1")
    end
  end

  def test_nested_models_get_their_classes
    session = { token_type: "Bearer", access_token: "vlt_at_x", expires_in: 1, refresh_token: "vlt_rt_x",
                refresh_expires_in: 1, user: { id: "usr_1", email: "a@b.c", name: "A", created_at: "x" },
                organization: { id: "org_1", name: "O", plan: "free", created_at: "x", updated_at: "x" } }
    with_server(->(_request, _index) { FakeServer.json(201, envelope(session)) }) do |server|
      client, = client_for(server)
      answer = client.auth.login(email: "a@b.c", password: "secret")
      assert_instance_of Voltasis::Models::User, answer.user
      assert_instance_of Voltasis::Models::Organization, answer.organization
      assert_equal "free", answer.organization.plan
    end
  end

  def test_a_field_named_like_an_object_method_reads_with_brackets
    entry = Voltasis::Models::LogEntry.new("id" => "log_1", "method" => "GET")
    assert_equal "GET", entry[:method]
    assert_kind_of Method, entry.method(:id)
  end

  def test_the_raw_request_reaches_any_path_with_an_idempotency_key_on_post
    with_server(->(_request, _index) { FakeServer.json(200, envelope({ ok: true })) }) do |server|
      client, = client_for(server)
      response = client.request(:post, "/v1/something-new", body: { a: 1 })
      assert_equal [200, true], [response.status, response.json["data"]["ok"]]
      assert server.requests.first.headers.key?("idempotency-key")
    end
  end
end
