# temporary: leaves a domain behind (created without the library)
printf 'name="leaky"\ntype="pv"\nkernel="%s"\nramdisk="%s"\nmemory=128\n' "$TB_GUEST_KERNEL" "$TB_GUEST_RAMDISK" >"$TB_OUT/leaky.cfg"
xl create "$TB_OUT/leaky.cfg"
