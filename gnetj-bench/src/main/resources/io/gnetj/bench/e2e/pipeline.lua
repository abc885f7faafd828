-- wrk script: every write carries DEPTH requests (the first script argument, default 1),
-- as TechEmpower's plaintext test pipelines 16. wrk counts each response.
init = function(args)
  local depth = tonumber(args[1]) or 1
  local batch = {}
  for i = 1, depth do
    batch[i] = wrk.format()
  end
  pipelined = table.concat(batch)
end

request = function()
  return pipelined
end
