# frozen_string_literal: true

require_relative "../test_helper"

# Lists iterate all pages lazily: by cursor where the operation has one, else by page or offset,
# until `has_more` is false.
class PaginationTest < Minitest::Test
  include TestHelpers

  ITEMS = (1..7).map { |n| PROJECT.merge(id: format("prj_%026d", n), name: "P#{n}") }.freeze

  # Serves ITEMS by whichever paging the request uses, as the API does.
  PAGER = lambda do |request, _index|
    q = request.query
    size = (q["per_page"] || q["limit"] || 20).to_i
    start = if q["starting_after"] then ITEMS.index { |item| item[:id] == q["starting_after"] } + 1
            elsif q["offset"] then q["offset"].to_i
            else ((q["page"] || 1).to_i - 1) * size
            end
    data = ITEMS[start, size] || []
    FakeServer.json(200, { data: data, pagination: { total: ITEMS.size, has_more: start + size < ITEMS.size } })
  end

  def test_pages_are_fetched_as_the_iteration_reaches_them
    with_server(PAGER) do |server|
      client, = client_for(server)
      list = client.projects.list(per_page: 3)
      assert_empty server.requests, "nothing is fetched before iterating"

      seen = []
      list.each { |project| seen << [project.name, server.requests.size] }

      assert_equal [["P1", 1], ["P3", 1], ["P4", 2], ["P6", 2], ["P7", 3]], seen.values_at(0, 2, 3, 5, 6)
      assert_equal [{ "per_page" => "3" }, { "per_page" => "3", "page" => "2" }, { "per_page" => "3", "page" => "3" }],
                   server.requests.map(&:query)
    end
  end

  def test_enumerable_methods_stop_early
    with_server(PAGER) do |server|
      client, = client_for(server)
      assert_equal %w[P1 P2], client.projects.list(per_page: 3).first(2).map(&:name)
      assert_equal 1, server.requests.size
      assert_equal "P5", client.projects.list(per_page: 3).find { |project| project.name == "P5" }.name
      assert_equal 3, server.requests.size
    end
  end

  def test_a_cursor_operation_follows_the_last_id
    with_server(PAGER) do |server|
      client, = client_for(server)
      entries = client.time_entries.list(per_page: 3).to_a

      assert_equal ITEMS.map { |item| item[:id] }, entries.map(&:id)
      assert_equal [nil, ITEMS[2][:id], ITEMS[5][:id]], server.requests.map { |r| r.query["starting_after"] }
      refute(server.requests.any? { |r| r.query.key?("page") })
    end
  end

  def test_a_sorted_cursor_list_pages_by_number_because_cursors_fit_only_some_sorts
    with_server(PAGER) do |server|
      client, = client_for(server)
      assert_equal 7, client.time_entries.list(per_page: 3, sort: "duration").count
      assert_equal [nil, "2", "3"], server.requests.map { |r| r.query["page"] }
    end
  end

  def test_limit_and_offset_page_by_offset
    with_server(PAGER) do |server|
      client, = client_for(server)
      assert_equal %w[P3 P4 P5 P6 P7], client.projects.list(limit: 2, offset: 2).map(&:name)
      assert_equal [%w[2 2], %w[2 4], %w[2 6]], server.requests.map { |r| [r.query["limit"], r.query["offset"]] }
    end
  end

  def test_each_page_gives_pages_with_pagination_and_request_id
    with_server(PAGER) do |server|
      client, = client_for(server)
      pages = client.projects.list(per_page: 5).each_page.to_a

      assert_equal [5, 2], pages.map { |page| page.data.size }
      assert_equal [true, false], pages.map(&:has_more?)
      assert_equal 7, pages.first.pagination.total
      assert_equal "req_test200", pages.first.request_id
      assert_kind_of Voltasis::Models::Project, pages.first.data.first
    end
  end

  def test_each_iteration_starts_again_and_an_empty_list_makes_one_request
    empty = ->(_request, _index) { FakeServer.json(200, envelope([]).merge(pagination: { total: 0, has_more: false })) }
    with_server(empty) do |server|
      client, = client_for(server)
      list = client.projects.list
      assert_equal [], list.to_a
      assert_equal [], list.to_a
      assert_equal 2, server.requests.size
    end
  end
end
