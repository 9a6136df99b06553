//! Live probes: TCP connect to 443, and the first-hop probe (the tracepath technique: UDP
//! datagrams with TTL 1..N and IP_RECVERR, reading "time exceeded" from the socket's error
//! queue — no raw socket and no privilege needed).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::facts::{FirstHopProbe, IcmpOutcome, IcmpProbe, TcpOutcome, TcpProbe};

/// Connects to `addr:port` once, bounded by `limit`.
pub async fn tcp(addr: IpAddr, port: u16, limit: Duration) -> TcpProbe {
    let start = Instant::now();
    let result = tokio::time::timeout(
        limit,
        tokio::net::TcpStream::connect(SocketAddr::new(addr, port)),
    )
    .await;
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    let (outcome, error) = match result {
        Err(_) => (
            TcpOutcome::TimedOut,
            Some(format!("no answer within {} ms", limit.as_millis())),
        ),
        Ok(Ok(_stream)) => (TcpOutcome::Connected, None),
        Ok(Err(e)) => {
            let outcome = match e.kind() {
                std::io::ErrorKind::ConnectionRefused => TcpOutcome::Refused,
                std::io::ErrorKind::TimedOut => TcpOutcome::TimedOut,
                std::io::ErrorKind::HostUnreachable | std::io::ErrorKind::NetworkUnreachable => {
                    TcpOutcome::Unreachable
                }
                _ => TcpOutcome::Error,
            };
            (outcome, Some(e.to_string()))
        }
    };
    TcpProbe {
        address: addr,
        port,
        outcome,
        latency_ms: (outcome == TcpOutcome::Connected).then_some((elapsed * 10.0).round() / 10.0),
        error,
    }
}

/// Probes the first hops toward `target` (IPv4: TTL and IP_RECVERR; IPv6: hop limit and
/// IPV6_RECVERR, ICMPv6 time exceeded): one datagram for each TTL 1..=max_ttl, all
/// sent at once, then up to `wait` for ICMP time-exceeded reports. Returns the responder at
/// the lowest TTL, if any answered.
pub fn first_hop(target: IpAddr, max_ttl: u8, wait: Duration) -> Result<FirstHopProbe, String> {
    let found = probe_ttls(target, max_ttl, wait)?;
    Ok(FirstHopProbe {
        target,
        responder: found.map(|(_, r)| r),
        ttl: found.map(|(t, _)| t),
        max_ttl,
    })
}

#[cfg(target_os = "linux")]
fn probe_ttls(target: IpAddr, max_ttl: u8, wait: Duration) -> Result<Option<(u8, IpAddr)>, String> {
    use socket2::{Domain, Protocol, SockAddr, Socket, Type};
    use std::os::fd::AsRawFd;

    let v6 = target.is_ipv6();
    let mut sockets = Vec::new();
    for ttl in 1..=max_ttl {
        let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
        let sock = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))
            .map_err(|e| format!("socket: {e}"))?;
        if v6 {
            sock.set_unicast_hops_v6(u32::from(ttl))
                .map_err(|e| format!("IPV6_UNICAST_HOPS: {e}"))?;
        } else {
            sock.set_ttl_v4(u32::from(ttl))
                .map_err(|e| format!("IP_TTL: {e}"))?;
        }
        let on: libc::c_int = 1;
        let (level, name) = if v6 {
            (libc::IPPROTO_IPV6, libc::IPV6_RECVERR)
        } else {
            (libc::IPPROTO_IP, libc::IP_RECVERR)
        };
        // SAFETY: the fd is a valid socket; the option value is a c_int that outlives the call.
        let rc = unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                level,
                name,
                &on as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(format!(
                "IP(V6)_RECVERR: {}",
                std::io::Error::last_os_error()
            ));
        }
        // Traceroute's port range: nothing listens there, and it marks the traffic as a probe.
        let dest = SockAddr::from(SocketAddr::new(target, 33434 + u16::from(ttl)));
        sock.send_to(b"s3path-first-hop", &dest)
            .map_err(|e| format!("send to {target}: {e}"))?;
        sockets.push((ttl, sock));
    }
    let deadline = Instant::now() + wait;
    let mut best: Option<(u8, IpAddr)> = None;
    let mut open: Vec<(u8, std::os::fd::RawFd)> =
        sockets.iter().map(|(t, s)| (*t, s.as_raw_fd())).collect();
    while !open.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut fds: Vec<libc::pollfd> = open
            .iter()
            .map(|(_, fd)| libc::pollfd {
                fd: *fd,
                events: libc::POLLERR | libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: fds is a valid array of pollfd for the duration of the call.
        let n = unsafe {
            libc::poll(
                fds.as_mut_ptr(),
                fds.len() as libc::nfds_t,
                left.as_millis().max(1) as libc::c_int,
            )
        };
        if n < 0 {
            return Err(format!("poll: {}", std::io::Error::last_os_error()));
        }
        if n == 0 {
            break;
        }
        let mut done = Vec::new();
        for (i, pfd) in fds.iter().enumerate() {
            let (ttl, fd) = open[i];
            if pfd.revents & libc::POLLERR != 0 {
                if let Some(responder) = read_error_queue(fd) {
                    if best.is_none_or(|(t, _)| ttl < t) {
                        best = Some((ttl, responder));
                    }
                }
                done.push(ttl);
            } else if pfd.revents & libc::POLLIN != 0 {
                // A reply datagram (unexpected): drain it.
                let mut buf = [0u8; 512];
                // SAFETY: buf is valid for writes of its length.
                unsafe {
                    libc::recv(
                        fd,
                        buf.as_mut_ptr() as *mut libc::c_void,
                        buf.len(),
                        libc::MSG_DONTWAIT,
                    )
                };
                done.push(ttl);
            }
        }
        open.retain(|(t, _)| !done.contains(t));
        // Nothing can beat an answer at TTL 1.
        if best.is_some_and(|(t, _)| t == 1) {
            break;
        }
    }
    Ok(best)
}

/// Reads one message from the socket's error queue and returns the ICMP offender when it is a
/// time-exceeded (type 11) report.
#[cfg(target_os = "linux")]
fn read_error_queue(fd: std::os::fd::RawFd) -> Option<IpAddr> {
    let mut data = [0u8; 512];
    // cmsghdr needs its natural alignment: a plain byte array may not have it.
    #[repr(C, align(8))]
    struct Control([u8; 512]);
    let mut control = Control([0u8; 512]);
    let mut name: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: msghdr is plain data; every pointer in it refers to a live local buffer.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = &mut name as *mut _ as *mut libc::c_void;
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = control.0.len() as _;
    // SAFETY: fd is valid and msg describes valid buffers.
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if n < 0 {
        return None;
    }
    // SAFETY: the CMSG_* macros walk the control buffer filled in by the kernel.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            let level = (*cmsg).cmsg_level;
            let kind = (*cmsg).cmsg_type;
            let v4 = level == libc::IPPROTO_IP && kind == libc::IP_RECVERR;
            let v6 = level == libc::IPPROTO_IPV6 && kind == libc::IPV6_RECVERR;
            if v4 || v6 {
                let ee = libc::CMSG_DATA(cmsg) as *const libc::sock_extended_err;
                let err = std::ptr::read_unaligned(ee);
                // Time exceeded: ICMP type 11, ICMPv6 type 3.
                let exceeded =
                    (v4 && err.ee_origin == libc::SO_EE_ORIGIN_ICMP && err.ee_type == 11)
                        || (v6 && err.ee_origin == libc::SO_EE_ORIGIN_ICMP6 && err.ee_type == 3);
                if exceeded {
                    // SO_EE_OFFENDER: the sockaddr right after the extended error.
                    let off = ee.add(1) as *const libc::sockaddr_storage;
                    let family = std::ptr::read_unaligned(off as *const libc::sa_family_t);
                    if family as i32 == libc::AF_INET {
                        let sa = std::ptr::read_unaligned(off as *const libc::sockaddr_in);
                        return Some(IpAddr::V4(std::net::Ipv4Addr::from(u32::from_be(
                            sa.sin_addr.s_addr,
                        ))));
                    }
                    if family as i32 == libc::AF_INET6 {
                        let sa = std::ptr::read_unaligned(off as *const libc::sockaddr_in6);
                        return Some(IpAddr::V6(std::net::Ipv6Addr::from(sa.sin6_addr.s6_addr)));
                    }
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    None
}

#[cfg(not(target_os = "linux"))]
fn probe_ttls(_: IpAddr, _: u8, _: Duration) -> Result<Option<(u8, IpAddr)>, String> {
    Err("first-hop probe is implemented for Linux only".to_string())
}

/// ICMP echo to each address through one socket per family. Without the privilege to open an
/// ICMP socket (no CAP_NET_RAW and outside ping_group_range) the probes are skipped, not failed.
pub async fn icmp(addrs: &[IpAddr], limit: Duration) -> Vec<IcmpProbe> {
    use surge_ping::{Client, Config, PingIdentifier, PingSequence, ICMP};

    let v4 = Client::new(&Config::default());
    let v6 = Client::new(&Config::builder().kind(ICMP::V6).build());
    let ident = PingIdentifier((std::process::id() & 0xffff) as u16);
    let probes = addrs.iter().map(|&addr| {
        let client = if addr.is_ipv4() { &v4 } else { &v6 };
        async move {
            let mut p = IcmpProbe {
                address: addr,
                outcome: IcmpOutcome::Error,
                rtt_ms: None,
                error: None,
            };
            let client = match client {
                Ok(c) => c,
                Err(e) => {
                    p.outcome = IcmpOutcome::Skipped;
                    p.error = Some(format!("cannot open an ICMP socket (needs CAP_NET_RAW or net.ipv4.ping_group_range): {e}"));
                    return p;
                }
            };
            let mut pinger = client.pinger(addr, ident).await;
            pinger.timeout(limit);
            match pinger.ping(PingSequence(0), &[0u8; 16]).await {
                Ok((_, rtt)) => {
                    p.outcome = IcmpOutcome::Reply;
                    p.rtt_ms = Some((rtt.as_secs_f64() * 1e4).round() / 10.0);
                }
                Err(surge_ping::SurgeError::Timeout { .. }) => {
                    p.outcome = IcmpOutcome::TimedOut;
                    p.error = Some(format!("no echo reply within {} ms", limit.as_millis()));
                }
                Err(e) => p.error = Some(e.to_string()),
            }
            p
        }
    });
    super::dns::join_all(probes).await
}
