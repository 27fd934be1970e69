# frozen_string_literal: true

require_relative "lib/voltasis/version"

Gem::Specification.new do |spec|
  spec.name = "voltasis"
  spec.version = Voltasis::VERSION
  spec.summary = "The Voltasis time-tracking API for Ruby"
  spec.description = "Projects, tasks, timers, time entries, reports and webhooks of a Voltasis server: " \
                     "typed models, lazy pagination, retries with idempotency keys, webhook verification."
  spec.authors = ["Voltasis"]
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir["lib/**/*.rb", "README.md"]
  spec.require_paths = ["lib"]
  spec.metadata["rubygems_mfa_required"] = "true"
end
