# End-to-end tests: bridge (handlers/cloudinit/s3_user_script.py driven by Debian's real
# cloud-init offline in a temp root, against the loopback emulators; one process per case).
s3us_add_e2e(bridge.system_wide bridge_system_wide.py LABELS bridge TIMEOUT 120)
s3us_add_e2e(bridge.raw bridge_raw.py LABELS bridge TIMEOUT 120)
s3us_add_e2e(bridge.part_handler bridge_part_handler.py LABELS bridge TIMEOUT 120)
s3us_add_e2e(bridge.failure bridge_failure.py LABELS bridge TIMEOUT 120)
s3us_add_e2e(bridge.boothook bridge_boothook.py LABELS bridge TIMEOUT 120)
s3us_add_e2e(bridge.module bridge_module.py LABELS bridge TIMEOUT 120)
s3us_add_e2e(bridge.install bridge_install.py LABELS bridge TIMEOUT 60)
s3us_add_e2e(bridge.order bridge_order.py LABELS bridge TIMEOUT 120)
# Differential: 22 documents, each through cloud-init bridged and inlined (two halves run in
# parallel; each cloud-init run is a process of its own).
s3us_add_e2e(bridge.differential_a bridge_differential.py ARGS --docs 1-11 LABELS bridge TIMEOUT 600)
s3us_add_e2e(bridge.differential_b bridge_differential.py ARGS --docs 12-22 LABELS bridge TIMEOUT 600)
