-- SPDX-License-Identifier: Apache-2.0
-- One CloudEvent per request in binary mode, ids unique per thread and request.
local counter = 0

function setup(thread)
    thread:set("thread_id", math.random(1, 1000000000))
end

function request()
    counter = counter + 1
    return wrk.format("POST", "/v1/events", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. os.getenv("TOCSIN_KEY"),
        ["ce-specversion"] = "1.0",
        ["ce-id"] = thread_id .. "-" .. counter,
        ["ce-source"] = "/ssh/bastion-1",
        ["ce-type"] = "ssh.login.failed",
    }, '{"user":"root","ip":"203.0.113.9"}')
end
