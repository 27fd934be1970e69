# frozen_string_literal: true

require_relative "test_helper"

# The README's examples run against the live server, as the comment at its top tells its readers.
class ReadmeTest < Minitest::Test
  include TestHelpers

  README = File.expand_path("../README.md", __dir__)

  def setup
    skip_without_server
  end

  # [code, line of its first line] of every ```ruby block.
  def ruby_blocks(text)
    blocks = []
    current = nil
    text.each_line.with_index(1) do |line, number|
      if current.nil? && line.match?(/\A```ruby\s*\z/)
        current = ["", number + 1]
      elsif current && line.match?(/\A```\s*\z/)
        blocks << current
        current = nil
      elsif current
        current[0] += line
      end
    end
    blocks
  end

  def test_every_ruby_block_runs_and_the_webhook_handler_verifies_a_real_delivery
    _, key = register_with_admin_key("Ruby SDK README")
    receiver = FakeServer.new { |_request, _index| [200, {}, "ok"] }
    blocks = ruby_blocks(File.read(README))
    assert_operator blocks.size, :>=, 10, "the README's ruby blocks"

    program = Object.new.instance_eval { binding }
    env = { "VOLTASIS_API_KEY" => key.secret, "WEBHOOK_ENDPOINT_URL" => "#{receiver.url}/voltasis" }
    output, = capture_io do
      with_env(env) { blocks.each { |code, line| eval(code, program, README, line) } } # rubocop:disable Security/Eval
    end
    assert_includes output, "404 NOT_FOUND"
    assert_equal program.local_variable_get(:first).id, program.local_variable_get(:again).id

    project = Voltasis::Client.new(api_key: key.secret).projects.create(name: "Delivered to the README's handler")
    delivery = wait_for("the project.created delivery") do
      receiver.requests.find { |request| request.json.dig("data", "id") == project.id }
    end
    secret = program.local_variable_get(:webhook_secret)
    handler = program.receiver
    capture_io do
      assert_equal 200, handler.handle_voltasis_webhook(delivery.body, delivery.headers, secret)
      assert_equal 400, handler.handle_voltasis_webhook(delivery.body.sub("README", "forged"), delivery.headers, secret)
    end
  ensure
    receiver&.close
  end
end
