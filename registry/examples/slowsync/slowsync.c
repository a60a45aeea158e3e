/* A disk whose flush is slower: preloaded into the load benchmark, every fsync/fdatasync takes
 * SLOWSYNC_US microseconds more (default 2000). This machine's virtual disk flushes in about
 * 0.15 ms; a SATA SSD without power-loss protection takes 1-3 ms, a network volume more.
 *
 *   gcc -O2 -shared -fPIC -o /tmp/slowsync.so registry/examples/slowsync/slowsync.c -ldl
 *   SLOWSYNC_US=1000 LD_PRELOAD=/tmp/slowsync.so target/release/examples/loadbench --db ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void slow_down(void) {
    const char *us_text = getenv("SLOWSYNC_US");
    long us = us_text ? atol(us_text) : 2000;
    struct timespec pause = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&pause, 0);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    int result = real(fd);
    slow_down();
    return result;
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    int result = real(fd);
    slow_down();
    return result;
}
