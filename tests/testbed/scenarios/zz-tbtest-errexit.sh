# temporary: a failing command under set -e
true
false
tb_log "not reached"
