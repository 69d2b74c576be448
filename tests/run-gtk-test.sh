#!/bin/sh
# run-gtk-test.sh TEST [ARGS...]: runs a GTK test as on a desktop, with a session
# bus (dbus-run-session) and an X server (Xvfb). $WEFT_GTK_TEST_WRAPPER, if set,
# goes in front of the test itself (weft.sh sets it to valgrind), so the wrapper
# sees the test and not dbus-daemon, xvfb-run or Xvfb.
exec dbus-run-session -- xvfb-run -a -s '-screen 0 1280x1024x24' ${WEFT_GTK_TEST_WRAPPER:-} "$@"
