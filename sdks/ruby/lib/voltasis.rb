# frozen_string_literal: true

# The Voltasis API for Ruby: `Voltasis::Client.new(api_key: …)`, then `client.projects.list`.
#
# lib/voltasis/core/ is written by hand (transport and retries, errors, models, pagination,
# webhook verification); lib/voltasis/generated/ is rendered from the API's OpenAPI document by
# `npm run sdk:generate` and never edited by hand.

require "date"
require "json"
require "net/http"
require "openssl"
require "securerandom"
require "time"
require "uri"

require_relative "voltasis/version"
require_relative "voltasis/core/errors"
require_relative "voltasis/core/util"
require_relative "voltasis/core/model"
require_relative "voltasis/core/params"
require_relative "voltasis/core/transport"
require_relative "voltasis/core/pagination"
require_relative "voltasis/core/sse"
require_relative "voltasis/core/event_stream"
require_relative "voltasis/core/base_client"
require_relative "voltasis/core/resource"
require_relative "voltasis/core/webhook"
require_relative "voltasis/generated/index"
