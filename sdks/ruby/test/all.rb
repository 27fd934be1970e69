# frozen_string_literal: true

# Every test of the SDK in one process: `ruby test/all.rb` (what test/sdk/ruby.test.ts runs) or
# `rake test`. The conformance and README tests need a server in VOLTASIS_BASE_URL and skip without one.
Dir.glob(File.join(__dir__, "**", "*_test.rb")).sort.each { |file| require file }
