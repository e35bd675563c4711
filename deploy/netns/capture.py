#!/usr/bin/env python3
"""Packet capture and analysis for the separate-hosts test (deploy/netns/separate-hosts.sh).

  capture.py capture --out DIR --interface NAME [--interface NAME ...] [--ready-file F]
      Captures every frame on each named interface of the current network namespace with an
      AF_PACKET raw socket (both directions) into DIR/NAME.pcap, a standard pcap file that
      Wireshark and tcpdump open, until SIGTERM or SIGINT; then writes DIR/capture-stats.json with
      the kernel's drop count per interface.

  capture.py analyse --pcap-dir DIR --hosts HOSTS.json --out ANALYSIS.json
      Checks, from the pcap files alone, that every TCP payload byte between two hosts is a TLS
      record of a connection whose ServerHello selected TLS 1.3, that no other IP traffic flows
      between hosts, that each site exchanged packets with the coordinator and with nothing else.
      Exit code 0 when every check holds, 1 when one fails (each failure is one sentence in
      "violations"), 2 when the input cannot be read.

HOSTS.json: {"coordinator": {"name": "coordinator", "ip": "10.77.0.2"},
             "sites": [{"name": "cleveland", "ip": "10.77.1.2"}, ...],
             "router_ips": ["10.77.0.1", ...],
             "links": {"to-coordinator": "coordinator", "to-cleveland": "cleveland", ...}}
"links" names each captured interface (pcap file stem) after the one host behind it.

Only the standard library is used, so the check needs nothing but python3.
"""

import argparse
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
# veth hands the tap whole GSO super-segments (up to 64 KiB), so the snap length must exceed that.
SNAPLEN = 262144
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101

TLS_CHANGE_CIPHER_SPEC = 20
TLS_ALERT = 21
TLS_HANDSHAKE = 22
TLS_APPLICATION_DATA = 23
TLS_RECORD_NAMES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}
# RFC 8446 5.2: a TLSCiphertext fragment is at most 2^14 + 256 bytes.
TLS_MAX_RECORD = 2**14 + 256
TLS_VERSION_NAMES = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}
# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
HELLO_RETRY_RANDOM = bytes.fromhex(
    "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
EXT_SERVER_NAME = 0
EXT_SUPPORTED_VERSIONS = 43


# ---------------------------------------------------------------------------------------------
# pcap files


class PcapWriter:
    """Classic pcap (microsecond timestamps, Ethernet), flushed often so a crash leaves a file."""

    def __init__(self, path):
        self.file = open(path, "wb")
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        self.packets = 0

    def write(self, frame, timestamp):
        seconds = int(timestamp)
        micros = int((timestamp - seconds) * 1_000_000)
        self.file.write(struct.pack("<IIII", seconds, micros, len(frame), len(frame)))
        self.file.write(frame)
        self.packets += 1

    def close(self):
        self.file.close()


def read_pcap(path):
    """Yields (timestamp, linktype, frame) for each record of a classic pcap file."""
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            raise ValueError(f"{path} is not a pcap file: it has no complete header")
        magic = struct.unpack("<I", header[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            endian = ">"
            magic = struct.unpack(">I", header[:4])[0]
        else:
            raise ValueError(f"{path} is not a classic pcap file (magic {magic:#x})")
        divisor = 1e9 if magic == 0xA1B23C4D else 1e6
        linktype = struct.unpack(endian + "I", header[20:24])[0] & 0x0FFFFFFF
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, included, _ = struct.unpack(endian + "IIII", record)
            frame = f.read(included)
            if len(frame) < included:
                return  # a capture cut off mid-record: keep what was complete
            yield seconds + fraction / divisor, linktype, frame


# ---------------------------------------------------------------------------------------------
# capture


def capture(args):
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    os.makedirs(args.out, exist_ok=True)
    taps = {}
    for name in args.interface:
        # Protocol 0 at creation receives nothing; bind() then starts ETH_P_ALL on this interface
        # only, so no frame of another interface slips in between the two calls.
        tap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        tap.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
        tap.bind((name, ETH_P_ALL))
        tap.setblocking(False)
        taps[tap] = (name, PcapWriter(os.path.join(args.out, name + ".pcap")))
    if args.ready_file:
        with open(args.ready_file, "w") as ready:
            ready.write("capturing\n")

    def drain(tap):
        name, writer = taps[tap]
        while True:
            try:
                frame = tap.recv(SNAPLEN)
            except BlockingIOError:
                return
            writer.write(frame, time.time())

    last_flush = time.monotonic()
    while not stopping:
        readable, _, _ = select.select(list(taps), [], [], 0.25)
        for tap in readable:
            drain(tap)
        if time.monotonic() - last_flush > 1:
            for _, writer in taps.values():
                writer.file.flush()
            last_flush = time.monotonic()
    stats = {}
    for tap, (name, writer) in taps.items():
        drain(tap)
        kernel_packets, kernel_drops = struct.unpack(
            "II", tap.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
        writer.close()
        tap.close()
        stats[name] = {"packets_written": writer.packets, "kernel_packets": kernel_packets,
                       "kernel_drops": kernel_drops}
    with open(os.path.join(args.out, "capture-stats.json"), "w") as f:
        json.dump(stats, f, indent=2)
    return 0


# ---------------------------------------------------------------------------------------------
# decoding


class Packet:
    __slots__ = ("time", "kind", "src", "dst", "proto", "length", "tcp", "fragment")

    def __init__(self, time_, kind, src=None, dst=None, proto=None, length=0):
        self.time = time_
        self.kind = kind  # "ipv4", "ipv6", "arp", "other"
        self.src = src
        self.dst = dst
        self.proto = proto
        self.length = length
        self.tcp = None
        self.fragment = False


class Tcp:
    __slots__ = ("sport", "dport", "seq", "flags", "payload")

    def __init__(self, sport, dport, seq, flags, payload):
        self.sport = sport
        self.dport = dport
        self.seq = seq
        self.flags = flags
        self.payload = payload


FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


def decode(timestamp, linktype, frame):
    if linktype == LINKTYPE_ETHERNET:
        if len(frame) < 14:
            return Packet(timestamp, "other")
        ethertype = struct.unpack("!H", frame[12:14])[0]
        offset = 14
        while ethertype in (0x8100, 0x88A8) and len(frame) >= offset + 4:
            ethertype = struct.unpack("!H", frame[offset + 2:offset + 4])[0]
            offset += 4
        payload = frame[offset:]
    elif linktype == LINKTYPE_RAW:
        payload = frame
        ethertype = {4: 0x0800, 6: 0x86DD}.get(frame[0] >> 4 if frame else 0, 0)
    else:
        raise ValueError(f"link type {linktype} is not supported (Ethernet or raw IP only)")
    if ethertype == 0x0806:
        return Packet(timestamp, "arp")
    if ethertype == 0x0800 and len(payload) >= 20:
        header_length = (payload[0] & 0x0F) * 4
        total = struct.unpack("!H", payload[2:4])[0]
        # A GSO super-segment may carry 0 here; then the captured length is the truth.
        if total == 0 or total > len(payload):
            total = len(payload)
        flags_fragment = struct.unpack("!H", payload[6:8])[0]
        packet = Packet(timestamp, "ipv4", ipaddress.ip_address(payload[12:16]),
                        ipaddress.ip_address(payload[16:20]), payload[9], total)
        packet.fragment = bool(flags_fragment & 0x2000) or (flags_fragment & 0x1FFF) != 0
        if packet.proto == 6 and not packet.fragment:
            packet.tcp = decode_tcp(payload[header_length:total])
        return packet
    if ethertype == 0x86DD and len(payload) >= 40:
        packet = Packet(timestamp, "ipv6", ipaddress.ip_address(payload[8:24]),
                        ipaddress.ip_address(payload[24:40]), payload[6],
                        40 + struct.unpack("!H", payload[4:6])[0])
        if packet.proto == 6:
            packet.tcp = decode_tcp(payload[40:packet.length])
        return packet
    return Packet(timestamp, "other")


def decode_tcp(segment):
    if len(segment) < 20:
        return None
    sport, dport, seq = struct.unpack("!HHI", segment[:8])
    data_offset = (segment[12] >> 4) * 4
    return Tcp(sport, dport, seq, segment[13], bytes(segment[data_offset:]))


# ---------------------------------------------------------------------------------------------
# TCP reassembly


class Direction:
    """One direction of a TCP connection: segments kept by sequence number, retransmissions and
    duplicates removed when the byte stream is rebuilt."""

    def __init__(self):
        self.isn = None
        self.base = None
        self.segments = []  # (relative offset, bytes)
        self.raw_payload_bytes = 0
        self.fin = False
        self.rst = False

    def add(self, tcp):
        if tcp.flags & SYN:
            self.isn = tcp.seq
        if tcp.flags & FIN:
            self.fin = True
        if tcp.flags & RST:
            self.rst = True
        if not tcp.payload:
            return
        self.raw_payload_bytes += len(tcp.payload)
        if self.base is None:
            self.base = tcp.seq
        self.segments.append((relative(tcp.seq, self.base), tcp.payload))

    def stream(self):
        """Returns (bytes, duplicate byte count, holes as (offset, length), inconsistent)."""
        if not self.segments:
            return b"", 0, [], False
        start = min(offset for offset, _ in self.segments)
        if self.isn is not None:
            # With the SYN seen, a missing first segment is a hole too, not a later start.
            start = min(start, relative((self.isn + 1) & 0xFFFFFFFF, self.base))
        data = bytearray()
        duplicates = 0
        holes = []
        inconsistent = False
        for offset, payload in sorted(self.segments, key=lambda s: (s[0], -len(s[1]))):
            position = offset - start
            end = position + len(payload)
            if position > len(data):
                holes.append((len(data), position - len(data)))
                data.extend(b"\0" * (position - len(data)))  # placeholder, never parsed
            overlap = min(end, len(data)) - position
            if overlap > 0:
                duplicates += overlap
                if bytes(data[position:position + overlap]) != payload[:overlap] and not any(
                        h_start <= position < h_start + h_len for h_start, h_len in holes):
                    inconsistent = True
            if end > len(data):
                data.extend(payload[max(0, len(data) - position):])
        return bytes(data), duplicates, holes, inconsistent


def relative(seq, base):
    delta = (seq - base) & 0xFFFFFFFF
    return delta - (1 << 32) if delta >= 1 << 31 else delta


# ---------------------------------------------------------------------------------------------
# TLS


def parse_records(data, limit=None):
    """Splits a byte stream into TLS records; returns (records, bytes that parsed, why it stopped).

    Stops at the first bytes that are not a well-formed record header, or at a record that runs
    past the end of the stream (or past limit, the start of a capture hole)."""
    end = len(data) if limit is None else limit
    records = []
    position = 0
    while position < end:
        if position + 5 > end:
            return records, position, "an incomplete record header"
        content_type = data[position]
        version, length = struct.unpack("!HH", data[position + 1:position + 5])
        if content_type not in TLS_RECORD_NAMES:
            return records, position, f"content type {content_type} is not a TLS record type"
        if version not in (0x0301, 0x0303):
            return records, position, f"record version {version:#06x} is not a TLS 1.x record"
        if length == 0 or length > TLS_MAX_RECORD:
            return records, position, f"record length {length} is outside 1..{TLS_MAX_RECORD}"
        if position + 5 + length > end:
            return records, position, "a record that runs past the captured stream"
        records.append((content_type, version, data[position + 5:position + 5 + length]))
        position += 5 + length
    return records, position, None


def handshake_messages(records):
    """The plaintext handshake messages in a direction, as (type, body), in order."""
    buffer = b"".join(body for content_type, _, body in records if content_type == TLS_HANDSHAKE)
    messages = []
    position = 0
    while position + 4 <= len(buffer):
        message_type = buffer[position]
        length = int.from_bytes(buffer[position + 1:position + 4], "big")
        if position + 4 + length > len(buffer):
            break
        messages.append((message_type, buffer[position + 4:position + 4 + length]))
        position += 4 + length
    return messages


def hello_extensions(body, server):
    """Extensions of a ClientHello (server=False) or ServerHello (server=True) as {type: data}."""
    position = 2 + 32  # legacy_version, random
    session_id_length = body[position]
    position += 1 + session_id_length
    if server:
        position += 2 + 1  # cipher_suite, legacy_compression_method
    else:
        suites_length = struct.unpack("!H", body[position:position + 2])[0]
        position += 2 + suites_length
        position += 1 + body[position]  # legacy_compression_methods
    extensions = {}
    if position + 2 > len(body):
        return extensions
    end = position + 2 + struct.unpack("!H", body[position:position + 2])[0]
    position += 2
    while position + 4 <= min(end, len(body)):
        ext_type, ext_length = struct.unpack("!HH", body[position:position + 4])
        extensions[ext_type] = body[position + 4:position + 4 + ext_length]
        position += 4 + ext_length
    return extensions


def server_selected_version(body):
    legacy = struct.unpack("!H", body[:2])[0]
    selected = hello_extensions(body, server=True).get(EXT_SUPPORTED_VERSIONS)
    return struct.unpack("!H", selected[:2])[0] if selected and len(selected) >= 2 else legacy


def client_offered_versions(body):
    offered = hello_extensions(body, server=False).get(EXT_SUPPORTED_VERSIONS)
    if not offered:
        return [struct.unpack("!H", body[:2])[0]]
    return [struct.unpack("!H", offered[i:i + 2])[0] for i in range(1, 1 + offered[0], 2)]


def client_server_name(body):
    data = hello_extensions(body, server=False).get(EXT_SERVER_NAME)
    if not data or len(data) < 5:
        return None
    length = struct.unpack("!H", data[3:5])[0]
    return data[5:5 + length].decode("ascii", "replace")


def version_name(version):
    return TLS_VERSION_NAMES.get(version, f"{version:#06x}")


def check_direction(records, role, problems):
    """Applies RFC 8446's record rules to one direction; role is "client" or "server".

    In TLS 1.3 the only plaintext handshake message a client sends is ClientHello, and a server
    ServerHello (or HelloRetryRequest); everything after is encrypted into application_data
    records. change_cipher_spec (the middlebox-compatibility byte 0x01) and a plaintext alert
    may only come before encryption starts."""
    encrypted = False
    allowed_plain = 1 if role == "client" else 2
    for index, (content_type, version, body) in enumerate(records):
        name = TLS_RECORD_NAMES[content_type]
        if version != 0x0303 and not (role == "client" and index == 0 and version == 0x0301):
            problems.append(f"a {role} {name} record carries legacy version {version:#06x}, "
                            "not 0x0303")
        if content_type == TLS_APPLICATION_DATA:
            encrypted = True
        elif encrypted:
            problems.append(f"a plaintext {name} record follows encrypted records in the {role} "
                            "direction")
        elif content_type == TLS_CHANGE_CIPHER_SPEC and body != b"\x01":
            problems.append(f"the {role}'s change_cipher_spec record is not the single byte 0x01")
    for message_type, _ in handshake_messages(records):
        if message_type != allowed_plain:
            problems.append(f"the {role} sent handshake message type {message_type} in plaintext, "
                            "which TLS 1.3 encrypts")


# ---------------------------------------------------------------------------------------------
# analysis


class Hosts:
    def __init__(self, spec):
        self.coordinator = spec["coordinator"]["name"]
        self.names = {ipaddress.ip_address(spec["coordinator"]["ip"]): self.coordinator}
        self.sites = []
        for site in spec["sites"]:
            self.names[ipaddress.ip_address(site["ip"])] = site["name"]
            self.sites.append(site["name"])
        self.all = {self.coordinator, *self.sites}
        self.routers = {ipaddress.ip_address(ip) for ip in spec.get("router_ips", [])}
        self.links = spec["links"]

    def name(self, ip):
        if ip in self.names:
            return self.names[ip]
        if ip in self.routers:
            return "router"
        return str(ip)


def link_local_noise(packet):
    """IPv6 link-local, multicast or unspecified addresses: neighbour discovery and the like,
    between a host and the router on one virtual link, never between two hosts."""
    return packet.kind == "ipv6" and any(
        address.is_link_local or address.is_multicast or address.is_unspecified
        for address in (packet.src, packet.dst))


def analyse_link(link, path, hosts, violations):
    """Everything seen on one router interface, and the TLS verdict for its connections."""
    owner = hosts.links[link]
    excluded = {"arp": 0, "ipv6_link_local_or_multicast": 0, "other_ethertype": 0}
    pairs = {}
    peers = {}
    non_tcp = {}
    wrong_link = 0
    connections = {}
    packets = 0
    for timestamp, linktype, frame in read_pcap(path):
        packets += 1
        packet = decode(timestamp, linktype, frame)
        if packet.kind == "arp":
            excluded["arp"] += 1
            continue
        if packet.kind == "other":
            excluded["other_ethertype"] += 1
            continue
        if link_local_noise(packet):
            excluded["ipv6_link_local_or_multicast"] += 1
            continue
        source, target = hosts.name(packet.src), hosts.name(packet.dst)
        if owner not in (source, target):
            wrong_link += 1
        for me, other in ((source, target), (target, source)):
            if me in hosts.sites:
                peers.setdefault(me, {}).setdefault(other, 0)
                peers[me][other] += 1
        pair = tuple(sorted((source, target)))
        counts = pairs.setdefault(pair, {"packets": 0, "ip_bytes": 0, "tcp_payload_bytes_a_to_b": 0,
                                         "tcp_payload_bytes_b_to_a": 0})
        counts["packets"] += 1
        counts["ip_bytes"] += packet.length
        if packet.tcp is None:
            key = (source, target, packet.proto, packet.fragment)
            non_tcp[key] = non_tcp.get(key, 0) + 1
            continue
        tcp = packet.tcp
        a, b = (packet.src, tcp.sport), (packet.dst, tcp.dport)
        key = (min(a, b), max(a, b))
        connection = connections.setdefault(
            key, {"directions": {}, "client": None, "first": timestamp})
        connection["directions"].setdefault(a, Direction()).add(tcp)
        connection["directions"].setdefault(b, Direction())
        if tcp.flags & SYN and not tcp.flags & ACK and connection["client"] is None:
            connection["client"] = a

    if wrong_link:
        violations.append(f"{wrong_link} packets on {owner}'s link {link} neither came from nor "
                          f"went to {owner}")
    non_tcp_between_hosts = 0
    for (source, target, proto, fragment), count in sorted(non_tcp.items(), key=str):
        if source in hosts.all and target in hosts.all:
            non_tcp_between_hosts += count
        violations.append(f"{count} non-TCP packets from {source} to {target} (IP protocol "
                          f"{proto}{', fragments' if fragment else ''}) crossed the router on "
                          f"{link}")

    totals = {"tcp_payload_bytes": 0, "tls_bytes": 0, "non_tls_bytes": 0, "duplicate_bytes": 0}
    versions = set()
    offered = set()
    report_connections = []
    for key, connection in sorted(connections.items(), key=lambda item: item[1]["first"]):
        report_connections.append(analyse_connection(
            link, key, connection, hosts, totals, versions, offered, violations, pairs))
    return {
        "link": link,
        "host": owner,
        "packets": packets,
        "excluded_not_between_hosts": excluded,
        "non_tcp_packets_between_hosts": non_tcp_between_hosts,
        "other_non_tcp_ip_packets": sum(non_tcp.values()) - non_tcp_between_hosts,
        "pairs": [dict(a=pair[0], b=pair[1], **counts) for pair, counts in sorted(pairs.items())],
        "site_peers": {site: dict(sorted(p.items())) for site, p in sorted(peers.items())},
        "connections": report_connections,
        "tls_versions": sorted(versions),
        "client_offered_versions": sorted(offered),
        **totals,
    }


def analyse_connection(link, key, connection, hosts, totals, versions, offered, violations,
                       pairs):
    directions = connection["directions"]
    streams = {end: directions[end].stream() for end in directions}
    client = connection["client"]
    if client is None:
        # The SYN was not captured: the side whose stream opens with a ClientHello is the client.
        client = next((end for end, (data, _, _, _) in streams.items()
                       if data[:1] == bytes([TLS_HANDSHAKE]) and data[5:6] == b"\x01"), key[0])
    server = key[1] if client == key[0] else key[0]
    names = {"client": hosts.name(client[0]), "server": hosts.name(server[0])}
    label = (f"{names['client']} {client[0]}:{client[1]} -> {names['server']} "
             f"{server[0]}:{server[1]} on {link}")
    report = {"client_host": names["client"], "client": f"{client[0]}:{client[1]}",
              "server_host": names["server"], "server": f"{server[0]}:{server[1]}",
              "syn_seen": connection["client"] is not None}
    problems = []
    parsed = {}
    for role, end, other in (("client", client, "server"), ("server", server, "client")):
        data, duplicates, holes, inconsistent = streams[end]
        direction = directions[end]
        records, good, stopped = parse_records(data, holes[0][0] if holes else None)
        parsed[role] = records
        non_tls = len(data) - good
        totals["tcp_payload_bytes"] += len(data)
        totals["tls_bytes"] += good
        totals["non_tls_bytes"] += non_tls
        totals["duplicate_bytes"] += duplicates
        pair_key = tuple(sorted((names[role], names[other])))
        if pair_key in pairs:
            field = "tcp_payload_bytes_a_to_b" if pair_key[0] == names[role] else \
                "tcp_payload_bytes_b_to_a"
            pairs[pair_key][field] += len(data)
        report["from_" + role] = {
            "payload_bytes": len(data),
            "retransmitted_or_duplicate_bytes": duplicates,
            "tls_bytes": good,
            "non_tls_bytes": non_tls,
            "records": {TLS_RECORD_NAMES[t]: sum(1 for r in records if r[0] == t)
                        for t in sorted({r[0] for r in records})},
            "fin": direction.fin,
            "rst": direction.rst,
        }
        if holes:
            problems.append(f"the {role}'s stream has {len(holes)} gap(s) the capture missed "
                            f"(the first: {holes[0][1]} bytes at offset {holes[0][0]}), so "
                            f"{non_tls} bytes could not be checked")
        elif non_tls:
            problems.append(f"{non_tls} of the {role}'s {len(data)} payload bytes are not TLS "
                            f"records ({stopped} at offset {good}: {data[good:good + 16]!r})")
        if inconsistent:
            problems.append(f"a retransmission in the {role}'s stream differs from the original")
        check_direction(records, role, problems)

    client_hellos = [body for t, body in handshake_messages(parsed["client"]) if t == 1]
    server_hellos = [body for t, body in handshake_messages(parsed["server"]) if t == 2]
    final_hello = next((body for body in reversed(server_hellos)
                        if body[2:34] != HELLO_RETRY_RANDOM), None)
    carries_data = any(r[0] == TLS_APPLICATION_DATA for r in parsed["client"] + parsed["server"])
    report["hello_retry_request"] = any(body[2:34] == HELLO_RETRY_RANDOM for body in server_hellos)
    if client_hellos:
        try:
            client_offered_versions(client_hellos[0])
        except (IndexError, struct.error):
            problems.append("the ClientHello is malformed")
            client_hellos = []
    if client_hellos:
        report["client_offered"] = [
            version_name(v) for v in client_offered_versions(client_hellos[0])]
        offered.update(report["client_offered"])
        report["server_name_indication"] = client_server_name(client_hellos[0])
    report["tls_version"] = None
    try:
        selected = None if final_hello is None else server_selected_version(final_hello)
    except (IndexError, struct.error):
        problems.append("the ServerHello is malformed")
        selected, final_hello = 0, None
    if final_hello is not None:
        report["tls_version"] = version_name(selected)
        versions.add(report["tls_version"])
        if selected != 0x0304:
            problems.append(f"the ServerHello selected {version_name(selected)}, not TLS 1.3")
    elif carries_data:
        problems.append("application data flowed without a captured ServerHello")
    elif report["from_client"]["payload_bytes"] or report["from_server"]["payload_bytes"]:
        report["note"] = "handshake not completed (no ServerHello) and no application data"
    report["problems"] = problems
    for problem in problems:
        violations.append(f"{label}: {problem}")
    return report


def analyse(args):
    with open(args.hosts) as f:
        hosts = Hosts(json.load(f))
    violations = []
    capture_stats = {}
    stats_file = os.path.join(args.pcap_dir, "capture-stats.json")
    if os.path.exists(stats_file):
        with open(stats_file) as f:
            capture_stats = json.load(f)
    else:
        violations.append(f"{stats_file} is missing, so capture losses cannot be ruled out")
    links = []
    for link in hosts.links:
        path = os.path.join(args.pcap_dir, link + ".pcap")
        if not os.path.exists(path):
            violations.append(f"there is no capture of link {link} ({path} is missing)")
            continue
        drops = capture_stats.get(link, {}).get("kernel_drops", 0)
        if drops:
            violations.append(f"the capture on {link} lost {drops} packets in the kernel, so the "
                              "check is incomplete")
        links.append(analyse_link(link, path, hosts, violations))

    # A site's own link carries all of its traffic: counting there counts every byte once.
    site_links = [link for link in links if link["host"] in hosts.sites]
    site_peers = {site: {} for site in hosts.sites}
    for link in links:
        for site, peers in link["site_peers"].items():
            for peer, count in peers.items():
                site_peers[site][peer] = site_peers[site].get(peer, 0) + count
    for site in hosts.sites:
        others = {peer: n for peer, n in site_peers[site].items() if peer != hosts.coordinator}
        if others:
            violations.append(
                f"site {site} exchanged packets with "
                + ", ".join(f"{peer} ({n} packets)" for peer, n in sorted(others.items()))
                + f", not only with {hosts.coordinator}")
        if not any(c["tls_version"] == "TLS 1.3"
                   and {c["client_host"], c["server_host"]} == {site, hosts.coordinator}
                   and c["from_client"]["records"].get("application_data")
                   and c["from_server"]["records"].get("application_data")
                   for link in site_links for c in link["connections"]):
            violations.append(f"site {site} never exchanged application data with "
                              f"{hosts.coordinator} over TLS 1.3 on its own link")
    tls_versions = sorted({v for link in links for v in link["tls_versions"]})
    return {
        "ok": not violations,
        "violations": violations,
        "tls_versions_seen": tls_versions,
        "client_offered_versions": sorted(
            {v for link in links for v in link["client_offered_versions"]}),
        "tcp_payload_bytes_between_hosts": sum(l["tcp_payload_bytes"] for l in site_links),
        "tls_bytes": sum(l["tls_bytes"] for l in site_links),
        "non_tls_bytes": sum(l["non_tls_bytes"] for l in links),
        "non_tcp_packets_between_hosts": sum(l["non_tcp_packets_between_hosts"] for l in links),
        "other_non_tcp_ip_packets": sum(l["other_non_tcp_ip_packets"] for l in links),
        "retransmitted_or_duplicate_bytes": sum(l["duplicate_bytes"] for l in site_links),
        "tls_connections": sum(1 for l in site_links for c in l["connections"]
                               if c["tls_version"]),
        "pairs": [dict(pair, counted_on=link["link"]) for link in site_links
                  for pair in link["pairs"]],
        "site_peers": site_peers,
        "excluded_not_between_hosts": {
            kind: sum(l["excluded_not_between_hosts"][kind] for l in links)
            for kind in ("arp", "ipv6_link_local_or_multicast", "other_ethertype")},
        "capture": capture_stats,
        "links": links,
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    capture_command = commands.add_parser("capture", help="capture router interfaces to pcap")
    capture_command.add_argument("--out", required=True)
    capture_command.add_argument("--interface", action="append", required=True)
    capture_command.add_argument("--ready-file")
    analyse_command = commands.add_parser("analyse", help="check the captured traffic")
    analyse_command.add_argument("--pcap-dir", required=True)
    analyse_command.add_argument("--hosts", required=True)
    analyse_command.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "capture":
        return capture(args)
    try:
        result = analyse(args)
    except (OSError, ValueError, KeyError) as e:
        print(f"capture.py: cannot analyse {args.pcap_dir}: {e}", file=sys.stderr)
        return 2
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"capture: {result['tcp_payload_bytes_between_hosts']} TCP payload bytes between hosts "
          f"in {result['tls_connections']} TLS connections, {result['tls_bytes']} of them in TLS "
          f"records; versions {', '.join(result['tls_versions_seen']) or 'none'}; "
          f"{result['non_tls_bytes']} non-TLS bytes; "
          f"{result['non_tcp_packets_between_hosts']} non-TCP packets between hosts")
    for site, peers in result["site_peers"].items():
        print(f"  {site:12} talked to {', '.join(sorted(peers)) or 'nobody'}")
    for violation in result["violations"]:
        print(f"  VIOLATION: {violation}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
