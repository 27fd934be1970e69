# frozen_string_literal: true

module Voltasis
  # One page of a list: its items, the API's `pagination` block and the answer's request id.
  Page = Struct.new(:data, :pagination, :request_id, keyword_init: true) do
    def has_more?
      pagination&.[](:has_more) == true
    end
  end

  # What every `list` operation returns: an Enumerable over all items of all pages, fetched as the
  # iteration reaches them (`first(5)` fetches one page; nothing is fetched before iterating).
  # Each iteration starts again from the first page.
  #
  # The next page follows the cursor (`starting_after` = the last item's id) where the operation
  # has one, so that items inserted meanwhile neither repeat nor go missing; else `page` (or
  # `offset`, if the first request used `limit`/`offset`). A caller's `sort` or `page`/`offset`
  # keeps page-number paging: the API's cursors work only with some sorts.
  class List
    include Enumerable

    def initialize(client, path:, query:, options:, model:, cursor:)
      @client = client
      @path = path
      @query = query
      @options = options
      @model = model
      @style = paging_style(query, cursor)
    end

    # @yieldparam item [Model]
    def each(&block)
      return enum_for(:each) unless block

      each_page { |page| page.data.each(&block) }
    end

    # @yieldparam page [Page]
    def each_page
      return enum_for(:each_page) unless block_given?

      query = @query
      loop do
        page = @client.fetch_page(@path, query, @options, @model)
        yield page
        break if !page.has_more? || page.data.empty?

        query = next_query(query, page)
      end
    end

    # @return [Page] the first page alone
    def first_page
      each_page { |page| return page }
    end

    def inspect
      "#<#{self.class.name} #{@path} #{@query.inspect}>"
    end

    private

    def paging_style(query, cursor)
      return :cursor if cursor && !(query.key?(:offset) || query.key?(:page) || query.key?(:sort))
      return :offset if query.key?(:offset) || (query.key?(:limit) && !query.key?(:page))

      :page
    end

    def next_query(query, page)
      case @style
      when :cursor then query.merge(starting_after: page.data.last[:id])
      when :offset then query.merge(offset: (query[:offset] || 0) + page.data.size)
      else query.merge(page: (query[:page] || 1) + 1)
      end
    end
  end
end
