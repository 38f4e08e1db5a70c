# shellcheck shell=bash disable=SC2016,SC2034 # pids are set through printf -v; sh -c scripts
# installed: vprime as a Debian user installs it, on the testbed's dom0 and
# guests, using none of build/'s programs or modules:
#
#   host (build-images.sh)   make deb's .debs; DKMS builds vprime-front and
#                            vprime-back for the testbed's kernel into
#                            vprime-modules-<abi>.deb (dist/dkms/mkbmdeb.sh);
#                            each package also as an older build, 0.0.1
#   dom0                     dpkg -i the older build, then the new one
#                            (upgrade), then the new one again; the units'
#                            own command lines (ExecCondition, ExecStartPre,
#                            ExecStart, parsed from the installed files: no
#                            systemd here) start vprime-watch.service and
#                            vprimed@default.service on /etc/vprime/default.json
#   guests a, b              `xl create /etc/xen/vprime-{a,b}.cfg`, whose
#                            vprime lines name the default topology's lan0
#                            and lan1; each guest's ramdisk carries only the
#                            frontend of the package (vprime-front.ko where
#                            the package puts it), loaded by modprobe
#   ping a <-> b             through vprimed's switch
#   then                     guests destroyed, services stopped, module
#                            unloaded, dpkg --purge: no file, unit, module
#                            or xenstore node of vprime is left
#
# Needs `make deb` on the host first (make check runs check-deb, which
# makes them, before testbed-check).
# tb-timeout: 480

DEBS=$TB_TOP/build/deb
DEB_TB=$DEBS/testbed
KVER=$(uname -r)
UNITS=/lib/systemd/system
MODS=/lib/modules/$KVER/updates/dkms
PKGS="vprime-tools libvprime1 vprime-modules-$KVER"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export VPRIMED_SOCKET=/run/vprimed-default.sock
declare -A IP=([a]=10.77.0.1 [b]=10.77.0.2) MAC=([a]=00:16:3e:77:00:01 [b]=00:16:3e:77:00:02)
declare -A LAN=([a]=lan0 [b]=lan1)
WATCH_PID='' ENGINE_PID='' SH_WAS=''
T0=$SECONDS

say() { tb_log "$*"; echo "$*"; }
stop_pid() { # VAR: as systemd stops a service: SIGTERM, wait
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	printf -v "$1" '%s' ""
}
installed_any() { # any of our packages known to dpkg, not purged
	local p
	for p in $PKGS; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | tb_match '^.[^n]' && return 0
	done
	return 1
}
# Whatever the verdict, the next scenario of the boot finds dom0 as the
# image made it: no service, guest, package or config of this one.
cleanup_installed() {
	stop_pid ENGINE_PID
	tb__cleanup_guests_safe
	[ -z "$WATCH_PID" ] || tb_wait_for 15 sh -c '[ -z "$(xenstore-list /local/domain/0/backend/vprime 2>/dev/null)" ]' || true
	stop_pid WATCH_PID
	rm -f /etc/xen/vprime-a.cfg /etc/xen/vprime-b.cfg
	if installed_any; then
		rmmod vprime_back 2>/dev/null || true
		# shellcheck disable=SC2086
		dpkg --purge $PKGS >>"$TB_OUT/dpkg.log" 2>&1 || true
	fi
	if [ -d /tmp/installed-tb-modules ]; then
		mv /tmp/installed-tb-modules "/lib/modules/$KVER/extra/vprime"
		depmod -a "$KVER"
	fi
	[ -z "$SH_WAS" ] || ln -sfn "$SH_WAS" /bin/sh
}
trap 'rc=$?; cleanup_installed; [ $rc = 0 ] && tb__verdict PASS; exit $rc' EXIT

run_dpkg() { # ARGS...: dpkg, its output in dpkg.log, fail with its last lines
	echo "+ dpkg $*" >>"$TB_OUT/dpkg.log"
	dpkg "$@" >>"$TB_OUT/dpkg.log" 2>&1 ||
		tb_fail "dpkg $*: $(tail -n 3 "$TB_OUT/dpkg.log" | tr '\n' ' ')"
}
pkg_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null; }
check_versions() { # VERSION-OF-TOOLS: every package installed at it
	local p v=$1 got
	for p in $PKGS; do
		got=$(pkg_version "$p")
		[ "$got" = "install ok installed $v" ] || tb_fail "$p: dpkg says '$got', want installed $v"
	done
}
# dom0's files outside the run-time and bookkeeping places (dpkg's own
# records, logs, /tmp, /run); depmod rewrites modules.* in place.
fs_list() { find / -xdev \( -path /tmp -o -path /run -o -path /var/lib/dpkg -o -path /var/log \
	-o -path /var/lib/xen -o -path /var/lib/xenstored -o -path /root \) -prune -o -print | sort; }
# The empty class directory /local/domain/0/backend/vprime stays once any
# device existed (xenstore keeps parents, as it does backend/vif): not ours.
# Our nodes in xenstore.  The two parent directories earlier devices leave
# (backend/vprime, and error/backend/vprime where xenbus reported a refused
# device) are not nodes of ours: a node below them is.
vprime_nodes() {
	xenstore-ls -f / 2>/dev/null | cut -d' ' -f1 | grep -i vprime |
		grep -vx -e /local/domain/0/backend/vprime -e /local/domain/0/error/backend/vprime || true
}

# ---- the units, as systemd runs them ----------------------------------------
# The values of KEY= in FILE, with the instance for %i; systemd's prefixes
# '-' (failure ignored) kept for the caller, others refused.
unit_values() { # FILE KEY INSTANCE
	sed -n "s/^$2=//p" "$1" | sed "s/%i/$3/g"
}
unit_argv() { # VAR LINE: LINE split as systemd splits it (no quoting in ours)
	local -n _uargv=$1
	case $2 in *[\"\'\\]*) tb_fail "unit line '$2' has quoting this parser does not handle" ;; esac
	read -r -a _uargv <<<"$2"
	case ${_uargv[0]} in
	-/*) ;;
	[-@:+!]*) tb_fail "unit line '$2': prefix not handled" ;;
	/*) ;;
	*) tb_fail "unit line '$2': not an absolute path" ;;
	esac
}
unit_exec() { # UNIT LOG LINE: one ExecStartPre/ExecCondition line; its status
	local argv=() ignore=0
	unit_argv argv "$3"
	[ "${argv[0]:0:1}" != - ] || { ignore=1; argv[0]=${argv[0]:1}; }
	echo "+ $3" >>"$2"
	"${argv[@]}" >>"$2" 2>&1 || { local rc=$?; [ $ignore = 1 ] || return $rc; }
}
# unit_start UNIT PIDVAR [INSTANCE]: ConditionPathExists=, ExecCondition=,
# ExecStartPre= in order, then ExecStart= in the background (Type=simple).
unit_start() {
	local unit=$1 inst=${3:-} file log line argv=() rc
	file=$UNITS/${unit/@*./@.}
	log=$TB_OUT/unit-${unit%.service}.log
	[ -f "$file" ] || tb_fail "$unit: no $file"
	while read -r line; do
		[ -n "$line" ] || continue
		[ -e "$line" ] || tb_fail "$unit: ConditionPathExists=$line is not met"
	done < <(unit_values "$file" ConditionPathExists "$inst")
	while read -r line; do
		[ -n "$line" ] || continue
		rc=0
		unit_exec "$unit" "$log" "$line" </dev/null || rc=$?
		[ $rc = 0 ] || tb_fail "$unit: ExecCondition=$line exited $rc (systemd would skip the unit)"
	done < <(unit_values "$file" ExecCondition "$inst")
	while read -r line; do
		[ -n "$line" ] || continue
		unit_exec "$unit" "$log" "$line" </dev/null ||
			tb_fail "$unit: ExecStartPre=$line failed: $(tail -n 2 "$log" | tr '\n' ' ')"
	done < <(unit_values "$file" ExecStartPre "$inst")
	line=$(unit_values "$file" ExecStart "$inst")
	[ "$(grep -c . <<<"$line")" = 1 ] || tb_fail "$unit: not one ExecStart= line: $line"
	unit_argv argv "$line"
	echo "+ $line" >>"$log"
	"${argv[@]}" </dev/null >>"$log" 2>&1 &
	printf -v "$2" '%s' "$!"
	tb_log "$unit: started '$line' (pid $!)"
}

# ---- 0. what the host built, and dom0 before ----------------------------------
command -v dpkg >/dev/null || tb_fail "dom0 image has no dpkg (tests/testbed/build-images.sh)"
NEW=()
for p in libvprime1 vprime-tools; do
	f=$(find "$DEBS" -maxdepth 1 -name "${p}_*.deb" | head -n 1)
	[ -n "$f" ] || tb_fail "no build/deb/${p}_*.deb: run 'make deb' on the host"
	NEW+=("$f")
done
f=$(find "$DEB_TB" -maxdepth 1 -name "vprime-modules-${KVER}_*.deb" 2>/dev/null | head -n 1)
[ -n "$f" ] || tb_fail "no build/deb/testbed/vprime-modules-${KVER}_*.deb (build-images.sh makes it after 'make deb')"
NEW+=("$f")
OLD=("$DEB_TB"/old/libvprime1_*.deb "$DEB_TB"/old/vprime-tools_*.deb "$DEB_TB/old/vprime-modules-${KVER}_"*.deb)
for f in "${OLD[@]}"; do [ -f "$f" ] || tb_fail "no older build $f"; done
V_NEW=$(dpkg-deb -f "${NEW[1]}" Version) V_OLD=$(dpkg-deb -f "${OLD[1]}" Version)
installed_any && tb_fail "vprime packages already installed in dom0 before the scenario"
! lsmod | tb_match '^vprime_back ' || tb_dom0_unload_modules vprime_back
# dom0 as a user's has no modules but the package's: the testbed's own
# build (extra/vprime, which depmod ranks first here) goes aside until the
# scenario ends, for the scenarios after it.
if [ -d "/lib/modules/$KVER/extra/vprime" ]; then
	mv "/lib/modules/$KVER/extra/vprime" /tmp/installed-tb-modules
	depmod -a "$KVER"
fi
# dpkg runs maintainer scripts with /bin/sh, on a Debian host dash; the
# image's is busybox's, which runs its own applets first (its depmod
# writes no modules.*.bin: kmod's modprobe would not see the package's
# modules).  Dash is /bin/sh until the scenario ends.
[ -x /usr/bin/dash ] || tb_fail "dom0 image has no dash (tests/testbed/build-images.sh)"
SH_WAS=$(readlink /bin/sh)
ln -sfn dash /bin/sh
# the kernel package's System.map, where the module package's depmod wants it
[ -e "/boot/System.map-$KVER" ] || tb_fail "dom0 image has no /boot/System.map-$KVER (tests/testbed/build-images.sh)"
tb_dmesg_mark
[ -z "$(vprime_nodes)" ] || tb_fail "vprime xenstore nodes before the scenario: $(vprime_nodes | head -n 3 | tr '\n' ' ')"

# The guests' configs, as an administrator writes them (before the
# snapshot: they are the administrator's, not the packages').  Only the
# kernel and ramdisk are the testbed's.
for g in a b; do
	cat >"/etc/xen/vprime-$g.cfg" <<-EOF
		# guest $g on the default topology's ${LAN[$g]} (/etc/vprime/default.json)
		name = "$(tb_guest_domname "$g")"
		type = "pv"
		kernel = "$TB_GUEST_KERNEL"
		ramdisk = "/tmp/installed-guest-initrd.cpio"
		extra = "console=hvc0 loglevel=5"
		memory = 160
		vcpus = 1
		vprime = [ 'mac=${MAC[$g]},name=${LAN[$g]}' ]
	EOF
done
fs_list >"$TB_OUT/files-before.txt"
say "dom0: $(grep -c '^Package:' /var/lib/dpkg/status) packages in dpkg's database; installing $V_OLD, then $V_NEW"

# ---- 1. install an older build, upgrade, install again ---------------------
run_dpkg -i "${OLD[@]}"
check_versions "$V_OLD"
T_INST=$SECONDS
run_dpkg -i "${NEW[@]}"
check_versions "$V_NEW"
tb_figure dpkg_upgrade_s $((SECONDS - T_INST)) s
run_dpkg -i "${NEW[@]}"
check_versions "$V_NEW"
for f in /usr/sbin/vprimectl /usr/sbin/vprimed /usr/sbin/vprime-xl /etc/vprime/default.json \
	$UNITS/vprime-watch.service $UNITS/vprimed@.service \
	/usr/lib/x86_64-linux-gnu/libvprime.so.1 "$MODS/vprime-front.ko" "$MODS/vprime-back.ko"; do
	[ -e "$f" ] || [ -e "$f.xz" ] || tb_fail "installed, but no $f"
done
[ "$(dpkg -S /usr/sbin/vprimed | cut -d: -f1)" = vprime-tools ] || tb_fail "dpkg -S vprimed: $(dpkg -S /usr/sbin/vprimed 2>&1)"
grep -qx /etc/vprime/default.json /var/lib/dpkg/info/vprime-tools.conffiles ||
	tb_fail "default.json is not a conffile"
# modprobe finds the package's modules, not the testbed's own build
for m in vprime-back vprime-front; do
	p=$(modinfo -n "$m" 2>&1) || true
	case $p in "$MODS"/"$m".ko*) ;; *) tb_fail "modprobe $m would load '$p', not the package's" ;; esac
done
say "installed $V_OLD, upgraded to $V_NEW, installed $V_NEW again at +$((SECONDS - T0))s"

# The guests' ramdisk: the testbed's, and the frontend of the package, where
# the package puts it (nothing else of it: a guest loads only vprime-front).
rm -rf /tmp/installed-guest && mkdir -p /tmp/installed-guest
dpkg-deb -x "${NEW[2]}" /tmp/installed-guest/pkg
( cd /tmp/installed-guest/pkg && mkdir -p ../root/usr &&
	cp -a lib ../root/usr/ && rm -f ../root/usr/lib/modules/"$KVER"/updates/dkms/vprime-back.ko* &&
	cd ../root && find usr | cpio -o -H newc -R 0:0 ) >/tmp/installed-guest/front.cpio 2>"$TB_OUT/cpio.log" ||
	tb_fail "the guests' module layer: $(tail -n 2 "$TB_OUT/cpio.log" | tr '\n' ' ')"
cpio -t </tmp/installed-guest/front.cpio 2>/dev/null | tb_match -x "usr/lib/modules/$KVER/updates/dkms/vprime-front.ko" ||
	tb_fail "the guests' module layer has no vprime-front.ko: $(cpio -t </tmp/installed-guest/front.cpio 2>&1 | tr '\n' ' ')"
cat "$TB_GUEST_RAMDISK" /tmp/installed-guest/front.cpio >/tmp/installed-guest-initrd.cpio

# ---- 2. the services, as their units say --------------------------------------
unit_start vprime-watch.service WATCH_PID
tb_wait_for 10 grep -q 'watching domains' "$TB_OUT/unit-vprime-watch.log" ||
	tb_fail "vprime-watch did not start: $(tail -n 3 "$TB_OUT/unit-vprime-watch.log" | tr '\n' ' ')"
unit_start vprimed@default.service ENGINE_PID default
grep -q "^+ /sbin/modprobe vprime-back" "$TB_OUT/unit-vprimed@default.log" ||
	tb_fail "vprimed@default: no modprobe in its ExecStartPre"
lsmod | tb_match '^vprime_back ' || tb_fail "vprime-back not loaded after vprimed@default's ExecStartPre"
tb_wait_for 10 [ -S "$VPRIMED_SOCKET" ] ||
	tb_fail "vprimed@default: no control socket: $(tail -n 3 "$TB_OUT/unit-vprimed@default.log" | tr '\n' ' ')"
say "vprime-watch and vprimed@default running at +$((SECONDS - T0))s"

# ---- 3. guests from /etc/xen, ping ---------------------------------------------
for g in a b; do
	echo "$g" >"$TB_STATE/guests/$g"
	xl create "/etc/xen/vprime-$g.cfg" >"$TB_OUT/$g.create.log" 2>&1 ||
		tb_fail "xl create /etc/xen/vprime-$g.cfg: $(grep -v '^Parsing' "$TB_OUT/$g.create.log" | tail -n 2 | tr '\n' ' ')"
done
for g in a b; do
	tb_guest_wait "$g" 180
	d=$(tb_guest_domid "$g")
	tb_wait_for 20 grep -q "dom$d .*added vprime device 0" "$TB_OUT/unit-vprime-watch.log" ||
		tb_fail "vprime-watch did not add $g's device: $(tail -n 3 "$TB_OUT/unit-vprime-watch.log" | tr '\n' ' ')"
done
for g in a b; do
	out=$(tb_guest_run "$g" "set -e; k=\$(uname -r)
		rm -rf /lib/modules/\$k/extra/vprime; /sbin/depmod -a
		echo path=\$(/usr/bin/modinfo -n vprime-front)
		/sbin/modprobe vprime-front
		for i in \$(seq 100); do n=\$(ls /sys/bus/xen/devices/vprime-0/net/ 2>/dev/null); [ -n \"\$n\" ] && break; sleep 0.1; done
		[ -n \"\$n\" ] || { echo 'no vprime netdev'; exit 1; }
		ip addr add ${IP[$g]}/24 dev \$n; ip link set \$n up
		echo if=\$n mac=\$(cat /sys/class/net/\$n/address)") || tb_fail "$g: vprime-front: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	case $out in *"path=/lib/modules/$KVER/updates/dkms/vprime-front.ko"*) ;;
	*) tb_fail "$g: vprime-front is not the package's: $out" ;; esac
	tb_log "$g: $(echo "$out" | grep -E '^(path|if)=' | tr '\n' ' ')"
	case $out in *"mac=${MAC[$g]}"*) ;; *) tb_fail "$g: netdev has not the config's MAC: $out" ;; esac
done
engine_attached() { [ "$(vprimectl list 2>/dev/null | grep -c ' attached$')" = 2 ]; }
tb_wait_for 30 engine_attached ||
	tb_fail "vprimed@default did not attach both devices: $(vprimectl list 2>&1 | tr '\n' '|')"
vprimectl list >"$TB_OUT/list.txt" 2>&1 || true
say "guests a, b up, devices attached at +$((SECONDS - T0))s"
for p in a:b b:a; do
	s=${p%:*} d=${p#*:}
	out=$(tb_guest_run "$s" "ping -c 5 -W 3 ${IP[$d]}") || true
	echo "$out" >"$TB_OUT/ping-$s-$d.txt"
	rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	[ "${rx:-0}" -ge 4 ] || tb_fail "ping $s -> $d: ${rx:-0} of 5 answered: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	tb_figure "rtt_${s}_$d" "$(echo "$out" | sed -n 's#.*= [0-9.]*/\([0-9.]*\)/.*#\1#p')" ms
	tb_figure "ping_${s}_${d}_received" "$rx" of5
done
say "ping a <-> b through vprimed@default at +$((SECONDS - T0))s"

# ---- 4. stop, destroy, purge -------------------------------------------------
DOMS="$(tb_guest_domid a) $(tb_guest_domid b)"
stop_pid ENGINE_PID
for g in a b; do tb_guest_destroy "$g"; done
# the watch removes the devices of domains that are gone
tb_wait_for 20 sh -c '[ -z "$(xenstore-list /local/domain/0/backend/vprime 2>/dev/null)" ]' ||
	tb_fail "vprime-watch left backend nodes: $(xenstore-list /local/domain/0/backend/vprime | tr '\n' ' ')"
stop_pid WATCH_PID
modprobe -r vprime-back || tb_fail "modprobe -r vprime-back failed"
# shellcheck disable=SC2086
run_dpkg --purge $PKGS
! installed_any || tb_fail "still known to dpkg after purge: $(dpkg -l 'vprime*' 'libvprime*' 2>&1 | tail -n 3 | tr '\n' ' ')"
rm -f /etc/xen/vprime-a.cfg /etc/xen/vprime-b.cfg
fs_list >"$TB_OUT/files-after.txt"
# the configs were there before; they are the administrator's to remove
grep -v '^/etc/xen/vprime-[ab]\.cfg$' "$TB_OUT/files-before.txt" >"$TB_OUT/files-before-noconf.txt"
if ! diff "$TB_OUT/files-before-noconf.txt" "$TB_OUT/files-after.txt" >"$TB_OUT/files-diff.txt"; then
	tb_fail "dpkg --purge left dom0 different: $(grep '^[<>]' "$TB_OUT/files-diff.txt" | head -n 5 | tr '\n' ' ')"
fi
ls $UNITS/vprime* /etc/systemd/system/*/vprime* 2>/dev/null && tb_fail "units left after purge"
ls "$MODS"/vprime* 2>/dev/null && tb_fail "modules left after purge"
! lsmod | tb_match '^vprime_' || tb_fail "a vprime module is still loaded: $(lsmod | grep '^vprime_')"
[ -z "$(vprime_nodes)" ] || tb_fail "xenstore nodes left: $(vprime_nodes | head -n 3 | tr '\n' ' ')"
tb_dmesg_since >"$TB_OUT/dmesg.txt"
! tb_oops_in "$TB_OUT/dmesg.txt" || tb_fail "oops in dom0: $(grep -Em1 "$TB_OOPS_RE" "$TB_OUT/dmesg.txt")"
tb_log "domains $DOMS gone; nothing of vprime left"
tb_figure installed_total_s $((SECONDS - T0)) s
say "purged: no file, unit, module or xenstore node left; $((SECONDS - T0)) s in all"
