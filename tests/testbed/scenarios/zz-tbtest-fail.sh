# temporary: deliberate failure
tb_log "about to fail"
tb_fail "deliberate failure for the harness test"
