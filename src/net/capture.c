/*
 * capture.c - from a link-layer frame to a TCP segment.
 *
 * Link types: Ethernet (with any stack of 802.1Q/802.1ad VLAN tags, up to
 * MAX_VLAN), Linux cooked v1 (SLL) and v2 (SLL2), raw IP, BSD loopback
 * (NULL/LOOP). Network: IPv4 (options skipped; fragments are counted and not
 * reassembled), IPv6 (hop-by-hop, routing, destination-options and AH
 * extension headers walked, at most MAX_V6_EXT; fragments skipped). TCP goes
 * to reassembly, UDP to the DNS reader (c2.c). Every read goes through a
 * ws_cur narrowed to the frame; an IP header that declares more than was
 * captured is handed on with the shortfall so that TCP reassembly records a
 * gap instead of inventing bytes.
 */
#include "core/compat.h"

#include <string.h>

#include "core/cur.h"
#include "net/net_int.h"

/* libpcap DLT_* values (pcap/dlt.h), repeated so the table reads alone. */
enum {
    LINK_NULL = 0,
    LINK_EN10MB = 1,
    LINK_RAW = 12,
    LINK_RAW_BSD = 14,
    LINK_RAW_LT = 101, /* LINKTYPE_RAW as stored in files */
    LINK_LOOP = 108,
    LINK_SLL = 113,
    LINK_IPV4 = 228,
    LINK_IPV6 = 229,
    LINK_SLL2 = 276,
};

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define ETH_QINQ_OLD 0x9100

/* VLAN tags stacked on one frame: real networks use one or two (QinQ). */
#define MAX_VLAN 8
/* IPv6 extension headers before TCP: RFC 8200 orders at most ~6 kinds. */
#define MAX_V6_EXT 8

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

static void ipv4(struct net_ctx *c, struct ws_cur *cur)
{
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag, csum;
    const uint8_t *src, *dst;
    if (ws_cur_u8(cur, &vihl) || ws_cur_u8(cur, &tos) || ws_cur_be16(cur, &total) ||
        ws_cur_be16(cur, &id) || ws_cur_be16(cur, &frag) || ws_cur_u8(cur, &ttl) ||
        ws_cur_u8(cur, &proto) || ws_cur_be16(cur, &csum) || ws_cur_bytes(cur, 4, &src) ||
        ws_cur_bytes(cur, 4, &dst))
        return; /* a short IP header carries nothing we can use */
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if (total == 0) {
        /* TCP segmentation offload: the sending host captured the segment
         * before the NIC filled in the length (Wireshark presumes the same) */
        size_t cap = ws_cur_left(cur) + 20;
        total = cap > 0xffff ? 0xffff : (uint16_t)cap;
    }
    if ((vihl >> 4) != 4 || ihl < 20 || total < ihl)
        return;
    if (ws_cur_skip(cur, ihl - 20))
        return;
    if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
        return;
    if ((frag & 0x3fff) != 0)
        return; /* IP fragment: not reassembled (SMB over fragmented IP is rare) */
    size_t wire = (size_t)total - ihl;
    size_t have = ws_cur_left(cur);
    if (proto == IPPROTO_UDP_) {
        udp_datagram(c, 4, src, dst, ws_cur_ptr(cur), have < wire ? have : wire);
        return;
    }
    tcp_segment(c, 4, src, dst, ws_cur_ptr(cur), have < wire ? have : wire, wire);
}

static void ipv6(struct net_ctx *c, struct ws_cur *cur)
{
    uint32_t vtcfl;
    uint16_t plen;
    uint8_t next, hops;
    const uint8_t *src, *dst;
    if (ws_cur_be32(cur, &vtcfl) || ws_cur_be16(cur, &plen) || ws_cur_u8(cur, &next) ||
        ws_cur_u8(cur, &hops) || ws_cur_bytes(cur, 16, &src) || ws_cur_bytes(cur, 16, &dst))
        return;
    if ((vtcfl >> 28) != 6)
        return;
    size_t left = plen ? plen : ws_cur_left(cur); /* 0: TSO or jumbogram */
    for (int i = 0; i < MAX_V6_EXT; i++) {
        if (next == IPPROTO_UDP_) {
            size_t have = ws_cur_left(cur);
            udp_datagram(c, 6, src, dst, ws_cur_ptr(cur), have < left ? have : left);
            return;
        }
        if (next == IPPROTO_TCP_) {
            size_t have = ws_cur_left(cur);
            tcp_segment(c, 6, src, dst, ws_cur_ptr(cur), have < left ? have : left, left);
            return;
        }
        uint8_t nh, elen;
        size_t len;
        switch (next) {
        case 0:  /* hop-by-hop */
        case 43: /* routing */
        case 60: /* destination options */
            if (ws_cur_u8(cur, &nh) || ws_cur_u8(cur, &elen))
                return;
            len = ((size_t)elen + 1) * 8;
            break;
        case 51: /* AH: length in 4-octet units minus 2 */
            if (ws_cur_u8(cur, &nh) || ws_cur_u8(cur, &elen))
                return;
            len = ((size_t)elen + 2) * 4;
            break;
        default: /* fragment (44), ESP, no-next-header, UDP, ...: not TCP we can read */
            return;
        }
        if (len < 2 || ws_cur_skip(cur, len - 2) || left < len)
            return;
        left -= len;
        next = nh;
    }
}

static void by_ethertype(struct net_ctx *c, uint16_t type, struct ws_cur *cur)
{
    if (type == ETH_IPV4)
        ipv4(c, cur);
    else if (type == ETH_IPV6)
        ipv6(c, cur);
}

static void by_version(struct net_ctx *c, struct ws_cur *cur)
{
    if (ws_cur_left(cur) < 1)
        return;
    uint8_t v = ws_cur_ptr(cur)[0] >> 4;
    if (v == 4)
        ipv4(c, cur);
    else if (v == 6)
        ipv6(c, cur);
}

static void ethernet(struct net_ctx *c, struct ws_cur *cur)
{
    uint16_t type;
    if (ws_cur_skip(cur, 12) || ws_cur_be16(cur, &type))
        return;
    for (int i = 0; i < MAX_VLAN && (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD);
         i++) {
        uint16_t tci;
        if (ws_cur_be16(cur, &tci) || ws_cur_be16(cur, &type))
            return;
    }
    by_ethertype(c, type, cur);
}

void net_frame(struct net_ctx *c, int linktype, const uint8_t *p, size_t caplen)
{
    struct ws_cur cur;
    ws_cur_init(&cur, p, caplen);
    uint16_t type;
    uint32_t fam;
    switch (linktype) {
    case LINK_EN10MB:
        ethernet(c, &cur);
        break;
    case LINK_SLL: /* pkttype, hatype, halen, addr[8], protocol (all big-endian) */
        if (ws_cur_skip(&cur, 14) || ws_cur_be16(&cur, &type))
            return;
        by_ethertype(c, type, &cur);
        break;
    case LINK_SLL2: /* protocol, reserved, ifindex, hatype, pkttype, halen, addr[8] */
        if (ws_cur_be16(&cur, &type) || ws_cur_skip(&cur, 18))
            return;
        by_ethertype(c, type, &cur);
        break;
    case LINK_RAW:
    case LINK_RAW_BSD:
    case LINK_RAW_LT:
    case LINK_IPV4:
    case LINK_IPV6:
        by_version(c, &cur);
        break;
    case LINK_NULL:
    case LINK_LOOP: /* 4-byte address family in the writer's byte order */
        if (ws_cur_le32(&cur, &fam))
            return;
        by_version(c, &cur);
        break;
    default:
        if (c->pk.frame == 1)
            net_report(c, 0, "net.error.linktype", WS_E_UNSUPPORTED, NULL,
                       "link-layer type %d is not supported; frames skipped", linktype);
        break;
    }
}
