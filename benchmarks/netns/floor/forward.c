// The smallest TAP <-> UDP forwarder: one thread reads frames from a TAP and sends each as one UDP
// datagram to a fixed peer, another receives datagrams and writes them to the TAP. No crypto, no
// framing. rtt-floor.sh runs two of them to measure what a userspace overlay hop costs on this
// machine before any overlay work (the floor under zerokube's and ZeroTier One's added RTT).
// usage: forward TAPNAME LOCAL_IP PEER_IP PORT
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int tap_fd, udp_fd;
static struct sockaddr_in peer;

static void *tap_to_udp(void *unused) {
    static char buf[65536];
    for (;;) {
        ssize_t n = read(tap_fd, buf, sizeof buf);
        if (n > 0) sendto(udp_fd, buf, (size_t) n, 0, (struct sockaddr *) &peer, sizeof peer);
    }
    return unused;
}

static void *udp_to_tap(void *unused) {
    static char buf[65536];
    for (;;) {
        ssize_t n = recv(udp_fd, buf, sizeof buf, 0);
        if (n > 0 && write(tap_fd, buf, (size_t) n) < 0) perror("write");
    }
    return unused;
}

static void address(struct sockaddr_in *a, const char *ip, int port) {
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, ip, &a->sin_addr) != 1) { fprintf(stderr, "bad address %s\n", ip); exit(2); }
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: forward TAPNAME LOCAL_IP PEER_IP PORT\n"); return 2; }
    tap_fd = open("/dev/net/tun", O_RDWR);
    struct ifreq req;
    memset(&req, 0, sizeof req);
    req.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(req.ifr_name, argv[1], IFNAMSIZ - 1);
    if (tap_fd < 0 || ioctl(tap_fd, TUNSETIFF, &req) < 0) { perror("TAP"); return 1; }
    struct sockaddr_in local;
    address(&local, argv[2], atoi(argv[4]));
    address(&peer, argv[3], atoi(argv[4]));
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (udp_fd < 0 || bind(udp_fd, (struct sockaddr *) &local, sizeof local) < 0) { perror("UDP"); return 1; }
    pthread_t a, b;
    pthread_create(&a, NULL, tap_to_udp, NULL);
    pthread_create(&b, NULL, udp_to_tap, NULL);
    pthread_join(a, NULL);
    return 0;
}
