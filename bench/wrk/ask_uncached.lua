-- Questions that differ in their slots (metric, state, month, year,
-- category, grouping: 69,120 of them):
-- each is new to the caches, so the rules tier parses it, plans it and
-- runs it on the engine.  Each thread starts half the list away from the
-- other, so threads do not repeat each other's questions; serve_bench.sh
-- starts a fresh server for each run.
local metrics = {"revenue", "orders", "units", "average order value", "gross margin"}
local states = {"California", "Texas", "New York", "Florida", "Illinois", "Ohio", "Georgia",
                "Washington", "Arizona", "Colorado", "Oregon", "Nevada", "Michigan",
                "Pennsylvania", "Virginia", "Tennessee"}
local shapes = {"", " by category", " by channel", " by region"}
local cats = {"", " for Electronics", " for Clothing", " for Home", " for Toys", " for Beauty"}
local months = {"January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"}
local n = 0
local seed = 0

setup = function(thread)
   seed = seed + 1
   thread:set("offset", seed * 34560)
end

request = function()
   n = n + 1
   local i = n + (offset or 0)
   local q = string.format("%s in %s in %s %d%s%s",
      metrics[i % #metrics + 1], states[math.floor(i / 5) % #states + 1],
      months[math.floor(i / 80) % #months + 1], 2022 + math.floor(i / 960) % 3,
      cats[math.floor(i / 2880) % #cats + 1], shapes[math.floor(i / 17280) % #shapes + 1])
   local body = string.format('{"question": "%s", "session": false}', q)
   return wrk.format("POST", "/api/ask", {["Content-Type"] = "application/json"}, body)
end

-- wrk's --latency table has no 95th percentile: print it (microseconds).
done = function(summary, latency, requests)
   io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
