# frozen_string_literal: true

module Voltasis
  VERSION = "0.1.0"
end
