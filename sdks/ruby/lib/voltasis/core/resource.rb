# frozen_string_literal: true

module Voltasis
  # What every generated resource class (Voltasis::Resources::Projects, …) shares.
  class Resource
    def initialize(client)
      @client = client
    end

    def inspect
      "#<#{self.class.name}>"
    end

    private

    def path_segment(name, value)
      Util.path_segment(name, value)
    end
  end
end
