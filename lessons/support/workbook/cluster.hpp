// Where this checkout's own PostgreSQL is: the lesson programs' default connection URLs. Used by
// the lessons' app.hpp; you never need to change this file. The code is in cluster.cpp, compiled
// once for every lesson (cmake/Lessons.cmake), not in each file that includes this one.
#pragma once

#include <string>
#include <string_view>

namespace workbook {
namespace detail {

// `text` for a URL: every byte but letters, digits and / . _ ~ - percent-encoded.
std::string url_encode(std::string_view text);

}  // namespace detail

/// The URL of database `name` on this checkout's own PostgreSQL, the cluster that
/// `./workbook db start` runs:
/// `postgresql://postgres@/NAME?host=SOCKET_DIRECTORY&port=PORT`, the same URL as
/// `./workbook db url NAME` prints. No password: the server admits only the OS user who started
/// it (unix socket in an owner-only folder, peer authentication; see the README).
///
/// The socket directory and port are those the running server wrote in its `postmaster.pid`, in
/// `$WORKBOOK_PGDIR` or else this checkout's `.workbook/pg`. When the server runs on another
/// port than `$WORKBOOK_PGPORT` says, or the `postmaster.pid` there belongs to another checkout's
/// server (a copied folder), it prints one line on stderr saying so (only when DATABASE_URL is
/// unset, so never under `./workbook`). When no server runs, it gives the URL the server will
/// have once started; connecting then fails with "... is the server running? In this workbook:
/// ./workbook db start".
std::string cluster_url(std::string_view name);

}  // namespace workbook
