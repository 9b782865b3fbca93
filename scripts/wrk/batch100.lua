-- SPDX-License-Identifier: Apache-2.0
-- Structured batches of 100 CloudEvents (~1 KB each) with ids unique per thread and request.
local counter = 0
local payload = string.rep("x", 850)

function setup(thread)
    thread:set("thread_id", math.random(1, 1000000000))
end

function request()
    local events = {}
    for i = 1, 100 do
        counter = counter + 1
        events[i] = string.format(
            '{"specversion":"1.0","id":"%d-%d","source":"/bench/wrk","type":"ssh.login.failed","datacontenttype":"application/json","data":{"user":"root","ip":"203.0.113.9","note":"%s"}}',
            thread_id, counter, payload)
    end
    return wrk.format("POST", "/v1/events", {
        ["Content-Type"] = "application/cloudevents-batch+json",
        ["Authorization"] = "Bearer " .. os.getenv("TOCSIN_KEY"),
    }, "[" .. table.concat(events, ",") .. "]")
end
