# frozen_string_literal: true

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "voltasis"
require "minitest/autorun"
require "securerandom"
require "socket"

# An HTTP server on 127.0.0.1 for the tests: it records every request and answers each with what
# the test's block returns — [status, headers, body], or :hang to never answer (timeouts).
# One request per connection, as the SDK sends them.
class FakeServer
  Request = Struct.new(:method, :path, :query, :headers, :body, keyword_init: true) do
    def json
      JSON.parse(body)
    end
  end

  attr_reader :url

  def initialize(&handler)
    @handler = handler
    @requests = []
    @lock = Mutex.new
    @hanging = Queue.new
    @server = TCPServer.new("127.0.0.1", 0)
    @url = "http://127.0.0.1:#{@server.addr[1]}"
    @acceptor = Thread.new do
      loop { Thread.new(@server.accept) { |socket| serve(socket) } }
    rescue IOError, Errno::EBADF
      nil # closed
    end
  end

  def requests
    @lock.synchronize { @requests.dup }
  end

  def close
    @server.close
    @acceptor.join
    @hanging.close
  end

  # A JSON answer in the API's envelope style.
  def self.json(status, body, headers = {})
    [status, { "Content-Type" => "application/json", "X-Request-ID" => "req_test#{status}" }.merge(headers),
     JSON.generate(body)]
  end

  def self.error(status, code, message, details = {}, headers = {})
    json(status, { error: { code: code, message: message, details: details },
                   metadata: { request_id: "req_test#{status}", timestamp: "2024-01-01T00:00:00Z" } }, headers)
  end

  private

  def serve(socket)
    request = read_request(socket)
    return unless request

    index = @lock.synchronize { (@requests << request).size - 1 }
    answer = begin
      @handler.call(request, index)
    rescue StandardError => e # a broken test handler shows as a 599 rather than a lost connection
      [599, {}, "#{e.class}: #{e.message}"]
    end
    return @hanging.pop if answer == :hang
    return stream(socket, answer) if answer.is_a?(EventStreamReply)

    status, headers, body = answer
    body = body.to_s
    head = ["HTTP/1.1 #{status} Status", "Content-Length: #{body.bytesize}", "Connection: close"]
    headers.each { |name, value| head << "#{name}: #{value}" }
    socket.write("#{head.join("\r\n")}\r\n\r\n#{body}")
  rescue IOError, SystemCallError, ClosedQueueError
    nil
  ensure
    socket.close
  end

  # A text/event-stream answer without a length: the body ends when the connection closes.
  def stream(socket, reply)
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Request-ID: req_stream\r\n" \
                 "Connection: close\r\n\r\n")
    reply.chunks.each do |chunk|
      socket.write(chunk)
      socket.flush
    end
    socket.read(1) if reply.hang # returns once the client closed the connection
  ensure
    reply.disconnected << true
  end

  def read_request(socket)
    line = socket.gets
    return nil unless line

    method, target = line.split(" ")
    headers = {}
    while (header = socket.gets) && header != "\r\n"
      name, value = header.split(":", 2)
      headers[name.downcase] = value.strip
    end
    body = headers["content-length"] ? socket.read(headers["content-length"].to_i) : ""
    path, query = target.split("?", 2)
    Request.new(method: method, path: path, query: URI.decode_www_form(query.to_s).to_h, headers: headers, body: body)
  end
end

# What a FakeServer handler returns for an event stream: the chunks, then the connection closed, or
# held open (`hang`) until the client closes it, which `disconnected` reports.
class EventStreamReply
  attr_reader :chunks, :hang, :disconnected

  def initialize(*chunks, hang: false)
    @chunks = chunks
    @hang = hang
    @disconnected = Queue.new
  end

  # Whether the client closed the connection (waiting up to `seconds` for it).
  def disconnected?(seconds = 5)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    sleep 0.01 while @disconnected.empty? && Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    !@disconnected.empty?
  end
end

module TestHelpers
  # Runs the block with a FakeServer, closed afterwards.
  def with_server(handler)
    server = FakeServer.new(&handler)
    yield server
  ensure
    server&.close
  end

  # A client of the fake server whose waits between retries are recorded instead of slept.
  def client_for(server, **options)
    client = Voltasis::Client.new(api_key: "vlt_live_test", base_url: server.url, **options)
    pauses = []
    client.instance_variable_get(:@transport).define_singleton_method(:pause) { |seconds| pauses << seconds }
    [client, pauses]
  end

  def skip_without_server
    return if ENV["VOLTASIS_BASE_URL"]

    skip "VOLTASIS_BASE_URL is not set: `npx vitest run test/sdk/ruby.test.ts` runs this with a server"
  end

  # Sets environment variables (nil removes one) for the block, then puts them back.
  def with_env(values)
    saved = values.keys.to_h { |name| [name, ENV.fetch(name, nil)] }
    values.each { |name, value| ENV[name] = value }
    yield
  ensure
    saved&.each { |name, value| ENV[name] = value }
  end

  # A new account on the live server in VOLTASIS_BASE_URL: its session and an `admin` API key.
  def register_with_admin_key(name)
    session = Voltasis::Client.new(api_key: nil).auth.register(
      email: "ruby-#{SecureRandom.hex(6)}@example.com", password: "correct horse battery staple", name: name,
      organization_name: "#{name} org",
    )
    key = Voltasis::Client.new(access_token: session.access_token).api_keys.create(name: name, scopes: ["admin"])
    [session, key]
  end

  # Asks again until the block gives something: for what the server does on its own schedule
  # (a webhook delivery). A deadline, not a claim about timing.
  def wait_for(what, seconds = 30)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    loop do
      found = yield
      return found if found
      flunk "#{what}: nothing within #{seconds} s" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.1
    end
  end

  PROJECT = {
    id: "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", name: "Website", description: nil, client_id: nil,
    status: "active", billable: true, hourly_rate: nil, currency: "USD", color: nil, budget_hours: nil,
    created_at: "2024-01-01T00:00:00Z", updated_at: "2024-01-01T00:00:00Z",
  }.freeze

  def envelope(data)
    { data: data, metadata: { request_id: "req_test", timestamp: "2024-01-01T00:00:00Z" } }
  end
end
