/// @file
/// Relationships: how the rows of two models refer to each other, declared once beside the
/// models and loaded through a Session (Flask-SQLAlchemy's `db.relationship`).
///
/// A relationship holds only pointers to members (never to objects), so it can be a global
/// constant. It is declared from the foreign key that makes it:
///
/// @code
/// // Flask: Director.movies = db.relationship("Movie", back_populates="director")
/// inline const auto director_movies = orm::relationship<Director, Movie>(&Movie::director_id);
/// // Flask: Movie.director = db.relationship("Director", back_populates="movies")
/// inline const auto movie_director = director_movies.back_populates();
/// // Flask: Movie.actors = db.relationship("Actor", secondary=movie_actors, back_populates=...)
/// inline const auto movie_actors = orm::relationship<Movie, Actor>(
///     orm::secondary(&MovieActor::movie_id, &MovieActor::actor_id));
///
/// std::vector<Movie> movies = session.load(director_movies, director);  // director.movies
/// std::optional<Director> d = session.load(movie_director, movie);       // movie.director
/// auto each = session.load_each(director_movies, directors);  // one query for all of them
/// session.append(director_movies, director, movie);  // sets movie.director_id, INSERTs movie
/// @endcode
#pragma once

#include <type_traits>

namespace orm {

template <class Child, class Parent, class Key>
struct ManyToOne;

/// One parent row, many child rows whose foreign key holds the parent's key: `Director` to its
/// `Movie`s through `Movie::director_id`. Build with orm::relationship.
template <class Parent, class Child, class Key>
struct OneToMany {
  using child_type = Child;  ///< the model of the rows loaded
  using key_type = Key;      ///< the foreign key member's type
  Key Child::*foreign_key;   ///< the child's member that holds the parent's key

  /// The same relationship seen from the child: its parent.
  constexpr ManyToOne<Child, Parent, Key> back_populates() const { return {foreign_key}; }
};

/// A child row's parent, through the child's foreign key: a `Movie`'s `Director` through
/// `Movie::director_id`. Build with orm::relationship.
template <class Child, class Parent, class Key>
struct ManyToOne {
  using parent_type = Parent;  ///< the model of the row loaded
  using key_type = Key;        ///< the foreign key member's type
  Key Child::*foreign_key;     ///< the child's member that holds the parent's key

  /// The same relationship seen from the parent: its children.
  constexpr OneToMany<Parent, Child, Key> back_populates() const { return {foreign_key}; }
};

/// The join table (SQLAlchemy's `secondary=`) of a many-to-many relationship: a model whose
/// rows each pair one `From` key with one `To` key. Build with orm::secondary.
template <class Link, class FromKey, class ToKey>
struct Secondary {
  FromKey Link::*from;  ///< the join model's member that holds the `From` row's key
  ToKey Link::*to;      ///< the join model's member that holds the `To` row's key
};

/// The join model's two foreign key members: `orm::secondary(&MovieActor::movie_id,
/// &MovieActor::actor_id)`, the first one referring to the relationship's `From` model.
template <class Link, class FromKey, class ToKey>
constexpr Secondary<Link, FromKey, ToKey> secondary(FromKey Link::*from, ToKey Link::*to) {
  return {from, to};
}

/// Many rows on each side, paired by the rows of a join model: `Movie`s and their `Actor`s
/// through `MovieActor`. Build with orm::relationship and orm::secondary.
template <class From, class To, class Link, class FromKey, class ToKey>
struct ManyToMany {
  using to_type = To;                    ///< the model of the rows loaded
  using link_type = Link;                ///< the join model
  using from_key_type = FromKey;         ///< the join model's member type for the `From` key
  Secondary<Link, FromKey, ToKey> link;  ///< the join model and its two foreign keys

  /// The same relationship seen from the other side.
  constexpr ManyToMany<To, From, Link, ToKey, FromKey> back_populates() const {
    return {{link.to, link.from}};
  }
};

/// The relationship from `From` objects to `To` objects through a foreign key member:
/// - a member of `To` (`relationship<Director, Movie>(&Movie::director_id)`): one-to-many,
///   a `Director`'s `Movie`s;
/// - a member of `From` (`relationship<Movie, Director>(&Movie::director_id)`): many-to-one,
///   a `Movie`'s `Director`.
///
/// The member must be declared `orm::foreign_key(&From::id)` (or `&To::id`) in its model's
/// fields(); using the relationship throws orm::ModelError otherwise.
template <class From, class To, class Key, class Owner>
constexpr auto relationship(Key Owner::*foreign_key) {
  static_assert(std::is_same_v<Owner, From> || std::is_same_v<Owner, To>,
                "orm::relationship<From, To>(&Model::member): the member must belong to From "
                "(many-to-one) or To (one-to-many)");
  if constexpr (std::is_same_v<Owner, To>) {
    return OneToMany<From, To, Key>{foreign_key};
  } else {
    return ManyToOne<From, To, Key>{foreign_key};
  }
}

/// Many-to-many: `relationship<Movie, Actor>(orm::secondary(&MovieActor::movie_id,
/// &MovieActor::actor_id))`.
template <class From, class To, class Link, class FromKey, class ToKey>
constexpr ManyToMany<From, To, Link, FromKey, ToKey> relationship(
    Secondary<Link, FromKey, ToKey> link) {
  return {link};
}

}  // namespace orm
