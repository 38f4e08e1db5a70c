# temporary: runs past its timeout
# tb-timeout: 15
sleep 100
