# frozen_string_literal: true

module Voltasis
  # A JSON object of the API as a read-only Ruby object: `project.name`, `project[:name]`,
  # `project.to_h`. The generated classes in Voltasis::Models declare their fields (and which of
  # them hold other models); any other object (an inline one, or a field newer than this library)
  # is a plain Model whose keys are readable the same way.
  class Model
    class << self
      # Field name → the name of the model class it holds (in Voltasis::Models), or nil; a
      # subclass (ApiKeyWithSecret < ApiKey) starts with its parent's fields.
      def fields
        @fields ||= superclass.respond_to?(:fields) ? superclass.fields.dup : {}
      end

      # Declares a field with a reader, unless the name is one every object has (`method`):
      # such a field is read with `[]`.
      def field(name, model: nil)
        fields[name] = model
        define_method(name) { @values[name] } unless Model.method_defined?(name) || Model.private_method_defined?(name)
      end

      # A parsed JSON value with its objects as models: `model_class` for the top level (and the
      # items of a top-level array), plain Models below unless a field declares otherwise.
      def construct(value, model_class = Model)
        case value
        when Hash then model_class.new(value)
        when Array then value.map { |item| construct(item, model_class) }
        else value
        end
      end
    end

    def initialize(values = {})
      @values = {}
      values.each do |key, value|
        name = key.to_sym
        declared = self.class.fields[name]
        @values[name] = Model.construct(value, declared ? Models.const_get(declared) : Model)
      end
      @values.freeze
    end

    # The field's value (nil when absent), by symbol or string.
    def [](name)
      @values[name.to_sym]
    end

    def key?(name)
      @values.key?(name.to_sym)
    end

    def dig(name, *rest)
      value = self[name]
      rest.empty? || value.nil? ? value : value.dig(*rest)
    end

    # The object as a Hash with symbol keys, nested models and arrays included.
    def to_h
      @values.transform_values { |value| Model.plain(value) }
    end

    def to_json(*args)
      to_h.to_json(*args)
    end

    def ==(other)
      other.class == self.class && other.to_h == to_h
    end
    alias eql? ==

    def hash
      [self.class, to_h].hash
    end

    def inspect
      fields = @values.map { |name, value| "#{name}: #{value.inspect}" }.join(", ")
      "#<#{self.class.name} #{fields}>"
    end
    alias to_s inspect

    # Fields not declared by the generated class (or any field of a plain Model) read as methods too.
    def method_missing(name, *args)
      return @values[name] if args.empty? && @values.key?(name)

      super
    end

    def respond_to_missing?(name, include_private = false)
      @values.key?(name) || super
    end

    def self.plain(value)
      case value
      when Model then value.to_h
      when Array then value.map { |item| plain(item) }
      else value
      end
    end
  end
end
