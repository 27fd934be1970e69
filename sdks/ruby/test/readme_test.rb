# frozen_string_literal: true

require_relative "test_helper"

# The examples run against the live server, as the comment at the top of each file tells its
# readers: every ```ruby block of the README, and of docs/sdks.md (whose other languages' blocks
# the other SDKs' suites run), top to bottom as one program per file, on a new account each.
class ReadmeTest < Minitest::Test
  include TestHelpers

  README = File.expand_path("../README.md", __dir__)
  DOCS = File.expand_path("../../../docs/sdks.md", __dir__)

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
    env = { "VOLTASIS_API_KEY" => key.secret, "WEBHOOK_ENDPOINT_URL" => "#{receiver.url}/voltasis" }
    output, program = run_blocks(README, env)
    assert_includes output, "404 NOT_FOUND"
    assert_includes output, "project.created Streamed"
    assert_includes output, "tag.created while-away"
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

  def test_every_ruby_block_of_docs_sdks_md_runs
    _, key = register_with_admin_key("Ruby SDK docs")
    output, = run_blocks(DOCS, "VOLTASIS_API_KEY" => key.secret)
    ["404 NOT_FOUND", "test true", "project.created", "tag.created"].each { |text| assert_includes output, text }
  end

  private

  # Evaluates the file's ruby blocks in order in one binding; what they printed, and the binding.
  def run_blocks(file, env)
    blocks = ruby_blocks(File.read(file))
    assert_operator blocks.size, :>=, 8, "the ruby blocks of #{file}"
    program = Object.new.instance_eval { binding }
    output, = capture_io do
      with_env(env) { blocks.each { |code, line| eval(code, program, file, line) } } # rubocop:disable Security/Eval
    end
    [output, program]
  end
end
