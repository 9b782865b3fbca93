-- SPDX-License-Identifier: Apache-2.0
-- Structured batches of 100 CloudEvents whose data is a real CloudTrail record (the 744 records of
-- Benchmarks/Fixtures/cloudtrail-sigma, cycled; ~1.2 KB each), ids unique per thread and request.
local records = {}
for line in io.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl") do
    if line ~= "" then
        records[#records + 1] = line
    end
end
local counter = 0

function setup(thread)
    thread:set("thread_id", math.random(1, 1000000000))
end

function request()
    local events = {}
    for i = 1, 100 do
        counter = counter + 1
        events[i] = string.format(
            '{"specversion":"1.0","id":"%d-%d","source":"/aws/cloudtrail","type":"aws.cloudtrail","datacontenttype":"application/json","data":%s}',
            thread_id, counter, records[(counter % #records) + 1])
    end
    return wrk.format("POST", "/v1/events", {
        ["Content-Type"] = "application/cloudevents-batch+json",
        ["Authorization"] = "Bearer " .. os.getenv("TOCSIN_KEY"),
    }, "[" .. table.concat(events, ",") .. "]")
end
